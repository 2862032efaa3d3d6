package io.crossbridge.hardening.autoconfigure.call;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.framework.ReflectiveMethodInvocation;

/**
 * Sets a Spring AOP invocation back to where an advice received it, so that the same invocation
 * proceeds again through the advice inside: what a blocking retry needs, without the copy per
 * call ({@code invocableClone()}: the invocation, its argument array and a map, about 120 bytes)
 * that only a retried call would use. Spring keeps that position in a private field of
 * {@link ReflectiveMethodInvocation}, which both JDK and CGLIB proxies use in Spring 7; only that
 * class is set back (a subclass may proceed in its own way), and where the field cannot be reached (a Spring that
 * renamed it, a module that does not open it) {@link #position} answers {@code -1} and the caller
 * copies the invocation instead.
 */
final class InvocationRewind {

    private static final VarHandle POSITION = positionField();

    private InvocationRewind() {
    }

    /** Where {@code invocation} is, to {@link #rewind} it to; {@code -1} when it cannot be rewound. */
    static int position(MethodInvocation invocation) {
        if (POSITION == null || invocation.getClass() != ReflectiveMethodInvocation.class) {
            return -1;
        }
        return (int) POSITION.get((ReflectiveMethodInvocation) invocation);
    }

    /** Sets {@code invocation} back to {@code position} and to {@code arguments}. */
    static void rewind(MethodInvocation invocation, int position, Object[] arguments) {
        ReflectiveMethodInvocation reflective = (ReflectiveMethodInvocation) invocation;
        reflective.setArguments(arguments);
        POSITION.set(reflective, position);
    }

    private static VarHandle positionField() {
        try {
            return MethodHandles.privateLookupIn(ReflectiveMethodInvocation.class, MethodHandles.lookup())
                    .findVarHandle(ReflectiveMethodInvocation.class, "currentInterceptorIndex", int.class);
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            return null;
        }
    }
}
