package org.fedoraproject.fedimg.emulator.quotas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.ec2.Ec2Exception;
import org.fedoraproject.fedimg.emulator.http.HttpReply;
import org.fedoraproject.fedimg.emulator.state.Engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Service Quotas for service code {@code ec2}, limited to the AMI quotas the emulator holds ({@link Quota}):
 * GetServiceQuota (the value in force in the region: AWS's default or an increase), GetAWSDefaultServiceQuota,
 * ListServiceQuotas and ListAWSDefaultServiceQuotas (optionally one QuotaCode). What a publisher calls to learn
 * its public-AMI quota, as on AWS. Other services and quota codes answer {@code NoSuchResourceException}.
 */
public final class ServiceQuotasApi {

    /** The JSON 1.1 target prefix of every Service Quotas operation. */
    public static final String TARGET_PREFIX = "ServiceQuotasV20190624.";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EC2 = "ec2";

    private final Engine engine;

    public ServiceQuotasApi(Engine engine) {
        this.engine = engine;
    }

    /** Handles one operation; errors come back as AWS JSON errors, never as exceptions. */
    public HttpReply handle(String operation, String region, byte[] body) {
        try {
            synchronized (engine) {
                engine.region(region);
            }
            JsonNode request = JSON.readTree(body.length == 0 ? "{}".getBytes() : body);
            return switch (operation) {
                case "GetServiceQuota" -> ok(JSON.createObjectNode().set("Quota",
                        quota(one(request), region, true)));
                case "GetAWSDefaultServiceQuota" -> ok(JSON.createObjectNode().set("Quota",
                        quota(one(request), region, false)));
                case "ListServiceQuotas" -> ok(list(request, region, true));
                case "ListAWSDefaultServiceQuotas" -> ok(list(request, region, false));
                default -> error(400, "InvalidAction", "Operation " + operation + " is not supported by this "
                        + "emulator (GetServiceQuota, GetAWSDefaultServiceQuota, ListServiceQuotas, "
                        + "ListAWSDefaultServiceQuotas)");
            };
        } catch (NoSuchResource e) {
            return error(400, "NoSuchResourceException", e.getMessage());
        } catch (Ec2Exception e) {
            return error(e.status() == 401 ? 403 : e.status(), e.code().equals("AuthFailure") ? "AccessDeniedException"
                    : e.code(), e.getMessage());
        } catch (IOException e) {
            return error(400, "SerializationException", "Malformed JSON request: " + e.getMessage());
        }
    }

    private static Quota one(JsonNode request) {
        checkService(request);
        String code = request.path("QuotaCode").asText("");
        Quota quota = Quota.byCode(code);
        if (quota == null) {
            throw new NoSuchResource("The request failed because the specified quota " + code
                    + " does not exist (this emulator has " + codes() + ").");
        }
        return quota;
    }

    private ObjectNode list(JsonNode request, String region, boolean applied) {
        checkService(request);
        List<Quota> quotas = new ArrayList<>(List.of(Quota.values()));
        if (request.hasNonNull("QuotaCode")) {
            quotas = List.of(one(request));
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("Quotas");
        quotas.forEach(q -> items.add(quota(q, region, applied)));
        return out;
    }

    private static void checkService(JsonNode request) {
        String service = request.path("ServiceCode").asText("");
        if (!service.equals(EC2)) {
            throw new NoSuchResource("The request failed because the specified service " + service
                    + " does not exist (this emulator serves ec2's " + codes() + ").");
        }
    }

    /** A ServiceQuota: the applied value, or AWS's default (whose ARN has no account). */
    private ObjectNode quota(Quota quota, String region, boolean applied) {
        ObjectNode q = JSON.createObjectNode();
        q.put("ServiceCode", EC2);
        q.put("ServiceName", "Amazon Elastic Compute Cloud (Amazon EC2)");
        q.put("QuotaArn", "arn:aws:servicequotas:" + region + ":" + (applied ? engine.accountId() : "") + ":ec2/"
                + quota.code());
        q.put("QuotaCode", quota.code());
        q.put("QuotaName", quota.quotaName());
        q.put("Value", (double) (applied ? engine.quotas().value(region, quota) : quota.awsDefault()));
        q.put("Unit", "None");
        q.put("Adjustable", true);
        q.put("GlobalQuota", false);
        return q;
    }

    private static String codes() {
        return String.join(", ", Arrays.stream(Quota.values()).map(Quota::code).toList());
    }

    private static HttpReply ok(ObjectNode body) {
        return new HttpReply(200, "application/x-amz-json-1.1", new LinkedHashMap<>(),
                body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** An AWS JSON 1.1 error: the code in {@code __type} and in {@code x-amzn-ErrorType}. */
    public static HttpReply error(int status, String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("__type", type).put("message", message);
        return new HttpReply(status, "application/x-amz-json-1.1", new LinkedHashMap<>(),
                body.toString().getBytes(StandardCharsets.UTF_8)).header("x-amzn-ErrorType", type);
    }

    private static final class NoSuchResource extends RuntimeException {
        NoSuchResource(String message) {
            super(message, null, false, false);
        }
    }
}
