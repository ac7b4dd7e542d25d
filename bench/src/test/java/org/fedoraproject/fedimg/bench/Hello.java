package org.fedoraproject.fedimg.bench;

/**
 * The plain-JVM baseline: {@code Hello} prints and exits (start-up), {@code Hello idle} then stays up until
 * killed (RSS of an idle JVM with the services' heap flags).
 */
public final class Hello {

    private Hello() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("hello");
        if (args.length > 0 && args[0].equals("idle")) {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
