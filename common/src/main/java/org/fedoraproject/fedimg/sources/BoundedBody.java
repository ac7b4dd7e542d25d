package org.fedoraproject.fedimg.sources;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;

/**
 * A response body read into memory up to a bound: a declared {@code Content-Length} above it is refused before
 * a byte is read, and a body that grows past it (chunked, or lying about its length) is cut there. Either is
 * {@link DeadLetterReason#INPUT_TOO_LARGE}; at most {@code max} bytes are ever held.
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    /** Bodies of 2xx answers bounded; other answers' bodies are read up to 64 KiB (error pages). */
    public static BodyHandler<byte[]> ofBytes(long max, String what) {
        return info -> {
            long bound = info.statusCode() / 100 == 2 ? max : 64 * 1024;
            long declared = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (declared > bound && info.statusCode() / 100 == 2) {
                BadInputException e = tooLarge(what, "declares " + declared + " bytes", max);
                return failing(e);
            }
            return new Limited(bound, what, info.statusCode() / 100 == 2);
        };
    }

    private static BadInputException tooLarge(String what, String detail, long max) {
        return new BadInputException(DeadLetterReason.INPUT_TOO_LARGE, what + " " + detail
                + ", more than the " + max + " allowed");
    }

    /** Discards the body (the connection is closed) and fails with {@code e}. */
    private static BodySubscriber<byte[]> failing(BadInputException e) {
        return new BodySubscriber<>() {
            final CompletableFuture<byte[]> result = CompletableFuture.failedFuture(e);

            @Override
            public CompletionStage<byte[]> getBody() {
                return result;
            }

            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.cancel();
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        };
    }

    private static final class Limited implements BodySubscriber<byte[]> {
        private final long max;
        private final String what;
        private final boolean fail;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private long seen;

        Limited(long max, String what, boolean fail) {
            this.max = max;
            this.what = what;
            this.fail = fail;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                int n = b.remaining();
                seen += n;
                if (seen > max) {
                    subscription.cancel();
                    if (fail) {
                        result.completeExceptionally(tooLarge(what, "has more than " + max + " bytes", max));
                    } else {
                        result.complete(out.toByteArray()); // an error page: its beginning is enough
                    }
                    return;
                }
                byte[] chunk = new byte[n];
                b.get(chunk);
                out.write(chunk, 0, n);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
