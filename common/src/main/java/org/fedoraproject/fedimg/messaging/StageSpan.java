package org.fedoraproject.fedimg.messaging;

import java.util.concurrent.atomic.AtomicBoolean;

import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.smallrye.mutiny.Uni;

/**
 * The span of one stage of one image's work ({@link StageSpans}). While it is open and recording, the events
 * the stage writes carry its span id as their parent; a dead letter or a FAILED status among them marks the
 * stage failed, so the span ends with status ERROR and that reason. Ending is idempotent.
 */
public final class StageSpan {

    private final Span span;
    private final String work;
    private final AtomicBoolean failed = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();

    StageSpan(Span span, String work) {
        this.span = span;
        this.work = work;
    }

    /** False with tracing off (or an unsampled trace): then records keep the derived ids of {@link TraceContext}. */
    public boolean recording() {
        return span.isRecording();
    }

    public SpanContext context() {
        return span.getSpanContext();
    }

    /** A low-cardinality detail (region, variant) or an id; null values are left out. */
    public StageSpan attribute(String key, String value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
        return this;
    }

    /** The AMI the stage works on (test, replicate): its region, id and variant. */
    public StageSpan ami(AmiRef ami) {
        if (ami != null) {
            attribute("cloud.region", ami.region());
            attribute("fedimg.ami.id", ami.amiId());
            attribute("fedimg.ami.variant", ami.variant() == null ? null : ami.variant().slug());
        }
        return this;
    }

    /** The stage failed; the first reason given is the one the span keeps. */
    public void failed(String reason) {
        if (failed.compareAndSet(false, true)) {
            span.setStatus(StatusCode.ERROR, reason == null ? "failed" : reason);
        }
    }

    public void failed(Throwable failure) {
        span.recordException(failure);
        failed(failure.getMessage() == null ? failure.getClass().getName() : failure.getMessage());
    }

    /** Called for every event the stage writes (by {@link CloudEvents}). */
    void wrote(FedimgEvent event) {
        if (event instanceof DeadLetter d) {
            attribute("fedimg.dead_letter.reason", d.reasonCode());
            failed(d.reasonCode() + ": " + d.reason());
        } else if (event instanceof StageStatus s && s.state() == StageState.FAILED) {
            failed(s.reason());
        }
    }

    public void end() {
        if (ended.compareAndSet(false, true)) {
            TraceContext.ended(this);
            span.end();
        }
    }

    /** Ends the span; a failure (null if none) marks it failed first. */
    public void end(Throwable failure) {
        if (failure != null) {
            failed(failure);
        }
        end();
    }

    /** The work of the stage, with the span ended when it completes, fails or is cancelled. */
    public <T> Uni<T> covering(Uni<T> work) {
        return work.onTermination().invoke((item, failure, cancelled) -> {
            if (cancelled) {
                failed("cancelled before the stage finished");
            }
            end(failure);
        });
    }

    /** The W3C header naming this span as the parent of a record the stage writes. */
    String traceparent() {
        SpanContext c = span.getSpanContext();
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }

    String work() {
        return work;
    }
}
