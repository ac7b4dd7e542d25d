package org.fedoraproject.fedimg.emulator.state;

/** An IPv4 CIDR block: subnets and the addresses in them. */
public record Cidr(long base, int prefix) {

    public static Cidr parse(String text) {
        var m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)/(\\d+)").matcher(
                text == null ? "" : text);
        if (!m.matches()) {
            return null;
        }
        long base = 0;
        for (int i = 1; i <= 4; i++) {
            int octet = Integer.parseInt(m.group(i));
            if (octet > 255) {
                return null;
            }
            base = base << 8 | octet;
        }
        int prefix = Integer.parseInt(m.group(5));
        if (prefix > 32 || (base & ~mask(prefix)) != 0) {
            return null;
        }
        return new Cidr(base, prefix);
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0 : 0xffffffffL << (32 - prefix) & 0xffffffffL;
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    public boolean contains(Cidr other) {
        return other.prefix >= prefix && (other.base & mask(prefix)) == base;
    }

    public boolean overlaps(Cidr other) {
        return contains(other) || other.contains(this);
    }

    public String address(long offset) {
        long a = base + offset;
        return (a >> 24 & 0xff) + "." + (a >> 16 & 0xff) + "." + (a >> 8 & 0xff) + "." + (a & 0xff);
    }

    @Override
    public String toString() {
        return address(0) + "/" + prefix;
    }
}
