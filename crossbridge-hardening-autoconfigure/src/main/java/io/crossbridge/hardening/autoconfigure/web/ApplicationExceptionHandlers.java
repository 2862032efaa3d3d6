package io.crossbridge.hardening.autoconfigure.web;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.method.ControllerAdviceBean;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.annotation.ExceptionHandlerMappingInfo;
import org.springframework.web.method.annotation.ExceptionHandlerMethodResolver;

/**
 * Finds whether the application answers one of the starter's exceptions itself: an
 * {@code @ExceptionHandler} declared for that exception (or a subtype of it), in the failing
 * handler's controller or in an applicable {@code @ControllerAdvice}, found in the order Spring
 * MVC's own resolver looks. Only the handler Spring MVC would pick counts, and only when it names
 * the exception: a catch-all such as {@code @ExceptionHandler(Exception.class)} is written for
 * the application's own failures, and would turn a 429 into a 500.
 */
final class ApplicationExceptionHandlers {

    private final SingletonSupplier<List<ControllerAdviceBean>> advice;

    private final Map<Class<?>, ExceptionHandlerMethodResolver> resolvers = new ConcurrentHashMap<>();

    ApplicationExceptionHandlers(ApplicationContext context) {
        this.advice = SingletonSupplier.of(() -> ControllerAdviceBean.findAnnotatedBeans(context));
    }

    /** Whether the handler Spring MVC picks for {@code failure} is declared for {@code exception}. */
    boolean answer(Object handler, Exception failure, Class<? extends Exception> exception) {
        Class<?> beanType = handler instanceof HandlerMethod method ? method.getBeanType() : null;
        if (beanType != null) {
            ExceptionHandlerMappingInfo local = mapping(beanType, failure);
            if (local != null) {
                return declaresFor(local, exception);
            }
        }
        for (ControllerAdviceBean advice : this.advice.obtain()) {
            if (advice.isApplicableToBeanType(beanType)) {
                ExceptionHandlerMappingInfo global = mapping(advice.getBeanType(), failure);
                if (global != null) {
                    return declaresFor(global, exception);
                }
            }
        }
        return false;
    }

    private ExceptionHandlerMappingInfo mapping(Class<?> type, Exception failure) {
        ExceptionHandlerMethodResolver resolver = resolvers.computeIfAbsent(type, ExceptionHandlerMethodResolver::new);
        return resolver.hasExceptionMappings() ? resolver.resolveExceptionMapping(failure, MediaType.ALL) : null;
    }

    private static boolean declaresFor(ExceptionHandlerMappingInfo mapping, Class<? extends Exception> exception) {
        return mapping.getExceptionTypes().stream().anyMatch(exception::isAssignableFrom);
    }
}
