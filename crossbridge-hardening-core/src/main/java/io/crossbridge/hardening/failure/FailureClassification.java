package io.crossbridge.hardening.failure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one judgement of failures that retries, circuit breakers, budgets and fallbacks share: an
 * ordered list of {@link FailureClassifier rules}, the built-in {@link FailureClassifier#defaults()
 * JDK table} last. A failure is judged by the first throwable in its cause chain that some rule
 * answers for, and at that throwable by the first rule that answers; a chain no rule answers for is
 * {@link FailureKind#UNKNOWN}. The same walk finds the first retry-after hint.
 * <p>
 * Immutable. A framework or an application adds its failures with {@link #withRule}, which asks the
 * new rule before the others, so a rule for a provider SDK's exceptions needs no copy of the table.
 */
public final class FailureClassification {

    /** How deep a cause chain is followed, so that a cyclic chain ends. */
    private static final int MAX_CAUSE_DEPTH = 32;

    private static final FailureClassification DEFAULTS = new FailureClassification(List.of(FailureClassifier.defaults()));

    private final List<FailureClassifier> rules;

    private FailureClassification(List<FailureClassifier> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Returns the built-in table alone: JDK failures and the core's exception families. */
    public static FailureClassification defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a classification asking {@code rules} in their order, then the built-in table.
     *
     * @throws IllegalArgumentException if {@code rules} is or holds {@code null}
     */
    public static FailureClassification of(List<? extends FailureClassifier> rules) {
        if (rules == null || rules.stream().anyMatch(rule -> rule == null)) {
            throw new IllegalArgumentException("rules of a failure classification must not be null or hold null, was " + rules);
        }
        List<FailureClassifier> all = new ArrayList<>(rules);
        all.add(FailureClassifier.defaults());
        return new FailureClassification(all);
    }

    /** Returns this classification with {@code rule} asked before every rule it has. */
    public FailureClassification withRule(FailureClassifier rule) {
        if (rule == null) {
            throw new IllegalArgumentException("rule must not be null");
        }
        List<FailureClassifier> all = new ArrayList<>(rules.size() + 1);
        all.add(rule);
        all.addAll(rules);
        return new FailureClassification(all);
    }

    /** The rules in the order they are asked, the built-in table last. */
    public List<FailureClassifier> rules() {
        return rules;
    }

    /** Judges {@code failure} by the first throwable in its cause chain that a rule answers for. */
    public FailureKind classify(Throwable failure) {
        return classify(failure, null);
    }

    /**
     * Judges {@code failure} as {@link #classify(Throwable)} does, with {@code first} asked before
     * every rule at each throwable of the chain: a caller's own settings (a retry policy's
     * {@code retryOn} and {@code abortOn}) win over the rules without a new classification.
     *
     * @param first asked first at each throwable, or {@code null}
     */
    public FailureKind classify(Throwable failure, FailureClassifier first) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
            FailureKind kind = first == null ? FailureKind.UNKNOWN : first.classify(current);
            if (kind == FailureKind.UNKNOWN) {
                kind = classifyOne(current);
            }
            if (kind != FailureKind.UNKNOWN) {
                return kind;
            }
            current = current.getCause();
        }
        return FailureKind.UNKNOWN;
    }

    private FailureKind classifyOne(Throwable failure) {
        for (FailureClassifier rule : rules) {
            FailureKind kind = rule.classify(failure);
            if (kind != FailureKind.UNKNOWN) {
                return kind;
            }
        }
        return FailureKind.UNKNOWN;
    }

    /** Returns the first retry-after hint in {@code failure}'s cause chain. */
    public Optional<Duration> retryAfter(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
            for (FailureClassifier rule : rules) {
                Optional<Duration> hint = rule.retryAfter(current);
                if (hint.isPresent()) {
                    return hint;
                }
            }
            current = current.getCause();
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FailureClassification that && rules.equals(that.rules);
    }

    @Override
    public int hashCode() {
        return rules.hashCode();
    }

    @Override
    public String toString() {
        return "FailureClassification" + rules.stream().map(rule -> rule.getClass().getSimpleName()).toList();
    }
}
