/**
 * Key expressions of the annotations ({@code key = "#userId"}), parsed once per method and
 * shared by the rate limit and the concurrency limit. Internal to the starter: public only so
 * that its packages can share them, and free to change in any release.
 */
package io.crossbridge.hardening.autoconfigure.expression;
