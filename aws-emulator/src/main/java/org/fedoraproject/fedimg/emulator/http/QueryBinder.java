package org.fedoraproject.fedimg.emulator.http;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import org.fedoraproject.fedimg.emulator.ec2.Ec2Exception;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * Binds an EC2 Query form ({@code Filter.1.Name=...&Filter.1.Value.1=...}) to the SDK's own request model,
 * walking the same field metadata the SDK marshaller uses, so parameter names cannot drift from the client.
 */
public final class QueryBinder {

    private QueryBinder() {
    }

    /** Fills {@code builder} (an SDK request builder) from the form and builds it. */
    @SuppressWarnings("unchecked")
    public static <T> T bind(Map<String, String> form, SdkPojo builder) {
        NavigableMap<String, String> sorted = new TreeMap<>(form);
        bindPojo(sorted, "", builder);
        return (T) ((SdkBuilder<?, ?>) builder).build();
    }

    private static void bindPojo(NavigableMap<String, String> form, String prefix, SdkPojo builder) {
        for (SdkField<?> field : builder.sdkFields()) {
            if (field.locationName() == null) {
                continue;
            }
            Object value = read(form, prefix + field.locationName(), field);
            if (value != null) {
                field.set(builder, value);
            }
        }
    }

    private static Object read(NavigableMap<String, String> form, String name, SdkField<?> field) {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.LIST) {
            SdkField<?> member = field.getTrait(ListTrait.class).memberFieldInfo();
            List<Object> items = new ArrayList<>();
            for (int i = 1; hasKeyOrPrefix(form, name + "." + i); i++) {
                Object item = read(form, name + "." + i, member);
                if (item != null) {
                    items.add(item);
                }
            }
            return items.isEmpty() ? null : items;
        }
        if (type == MarshallingType.SDK_POJO) {
            if (!hasPrefix(form, name + ".")) {
                return null;
            }
            SdkPojo nested = field.constructor().get();
            bindPojo(form, name + ".", nested);
            return ((SdkBuilder<?, ?>) nested).build();
        }
        if (type == MarshallingType.MAP) {
            return null;
        }
        String raw = form.get(name);
        if (raw == null) {
            return null;
        }
        try {
            if (type == MarshallingType.STRING) {
                return raw;
            } else if (type == MarshallingType.INTEGER) {
                return Integer.valueOf(raw.trim());
            } else if (type == MarshallingType.LONG) {
                return Long.valueOf(raw.trim());
            } else if (type == MarshallingType.BOOLEAN) {
                return Boolean.valueOf(raw.trim());
            } else if (type == MarshallingType.DOUBLE) {
                return Double.valueOf(raw.trim());
            } else if (type == MarshallingType.FLOAT) {
                return Float.valueOf(raw.trim());
            } else if (type == MarshallingType.BIG_DECIMAL) {
                return new BigDecimal(raw.trim());
            } else if (type == MarshallingType.INSTANT) {
                return parseInstant(raw.trim());
            } else if (type == MarshallingType.SDK_BYTES) {
                return SdkBytes.fromByteArray(java.util.Base64.getDecoder().decode(raw.trim()));
            }
        } catch (RuntimeException e) {
            throw Ec2Exception.invalidParameterValue("Value (" + raw + ") for parameter " + name + " is invalid.");
        }
        return null;
    }

    private static Instant parseInstant(String raw) {
        if (raw.matches("\\d+(\\.\\d+)?")) {
            return Instant.ofEpochMilli((long) (Double.parseDouble(raw) * 1000));
        }
        try {
            return Instant.parse(raw);
        } catch (RuntimeException e) {
            return OffsetDateTime.parse(raw).toInstant();
        }
    }

    private static boolean hasKeyOrPrefix(NavigableMap<String, String> form, String name) {
        return form.containsKey(name) || hasPrefix(form, name + ".");
    }

    private static boolean hasPrefix(NavigableMap<String, String> form, String prefix) {
        String next = form.ceilingKey(prefix);
        return next != null && next.startsWith(prefix);
    }
}
