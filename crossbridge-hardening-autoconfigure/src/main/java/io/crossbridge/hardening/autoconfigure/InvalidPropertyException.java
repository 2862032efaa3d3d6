package io.crossbridge.hardening.autoconfigure;

/**
 * A {@code crossbridge.hardening} property holds a value the starter cannot use. Thrown while the
 * context starts, so a bad value stops the application at once instead of failing the first call;
 * {@link InvalidPropertyFailureAnalyzer} turns it into a report that names the property.
 */
public class InvalidPropertyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;

    private final transient Object value;

    private final String reason;

    /**
     * @param property the property as written in {@code application.yml}, such as
     *                 {@code crossbridge.hardening.retry.policies.embed.max-attempts}
     * @param value    the value it holds, or {@code null} when it is missing
     * @param reason   what is wrong and what is allowed
     */
    public InvalidPropertyException(String property, Object value, String reason) {
        super("Invalid value for '" + property + "': " + value + ". " + reason);
        this.property = property;
        this.value = value;
        this.reason = reason;
    }

    public String property() {
        return property;
    }

    public Object value() {
        return value;
    }

    public String reason() {
        return reason;
    }
}
