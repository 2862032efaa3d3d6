package io.crossbridge.hardening.autoconfigure.call;

import java.util.ArrayList;
import java.util.List;

import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The blocking retry sets Spring's own invocations back rather than copy them; should Spring
 * change the field it keeps its place in, this fails where every other test would pass on the
 * slower copy.
 */
class InvocationRewindTests {

    @Test
    void springsInvocationsOfJdkAndCglibProxiesCanBeSetBackAndProceedAgainThroughTheAdviceInside() throws Throwable {
        for (boolean classBased : new boolean[] { false, true }) {
            List<Integer> positions = new ArrayList<>();
            List<String> inner = new ArrayList<>();
            ProxyFactory factory = new ProxyFactory(new Greeter());
            factory.setProxyTargetClass(classBased);
            factory.addInterface(Greeting.class);
            factory.addAdvice((MethodInterceptor) invocation -> {
                int position = InvocationRewind.position(invocation);
                positions.add(position);
                Object first = invocation.proceed();
                InvocationRewind.rewind(invocation, position, new Object[] { "again" });
                return first + "|" + invocation.proceed();
            });
            factory.addAdvice((MethodInterceptor) invocation -> {
                inner.add((String) invocation.getArguments()[0]);
                return invocation.proceed();
            });
            Greeting proxy = (Greeting) factory.getProxy();
            assertThat(AopUtils.isCglibProxy(proxy)).isEqualTo(classBased);

            assertThat(proxy.greet("first")).as(classBased ? "CGLIB" : "JDK").isEqualTo("hello first|hello again");
            assertThat(positions).containsExactly(0);
            assertThat(inner).containsExactly("first", "again");
        }
    }

    public interface Greeting {

        String greet(String name);
    }

    public static class Greeter implements Greeting {

        @Override
        public String greet(String name) {
            return "hello " + name;
        }
    }
}
