package org.fedoraproject.fedimg.emulator.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.emulator.CallSignals;
import org.fedoraproject.fedimg.emulator.Faults;
import org.fedoraproject.fedimg.emulator.ebs.EbsApi;
import org.fedoraproject.fedimg.emulator.ebs.EbsException;
import org.fedoraproject.fedimg.emulator.ec2.Ec2Api;
import org.fedoraproject.fedimg.emulator.ec2.Ec2Exception;
import org.fedoraproject.fedimg.emulator.quotas.ServiceQuotasApi;
import org.fedoraproject.fedimg.emulator.s3.S3Api;
import org.fedoraproject.fedimg.emulator.s3.S3Exception;
import org.fedoraproject.fedimg.emulator.s3.S3Request;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One EC2, EBS direct, S3 or Service Quotas call, as every call goes: counted, maybe failed by an injected
 * fault, handled, and any error answered in its protocol's shape (EC2's XML {@code <Errors>}, EBS's and Service
 * Quotas' JSON with {@code x-amzn-ErrorType}, S3's XML {@code <Error>}).
 */
final class ApiCalls {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The answer to a call a BEFORE signal held: nobody should read it, its caller having been killed. */
    private static final String REFUSED = "Refused: a call signal fired before this call (the caller was to be stopped)";

    private final Engine engine;
    private final Ec2Api ec2;
    private final EbsApi ebs;
    private final ServiceQuotasApi serviceQuotas;
    private final S3Api s3;

    ApiCalls(Engine engine) {
        this.engine = engine;
        this.ec2 = new Ec2Api(engine);
        this.ebs = new EbsApi(engine);
        this.serviceQuotas = new ServiceQuotasApi(engine);
        this.s3 = new S3Api(engine.s3(), engine.faults(), engine::serves);
    }

    HttpReply ec2(String method, SigV4.Scope scope, Map<String, String> query, InputStream body) throws IOException {
        String requestId = Ids.requestId();
        Map<String, String> form = new LinkedHashMap<>(query);
        if ("POST".equals(method)) {
            form.putAll(HttpFront.parseForm(new String(body.readAllBytes(), StandardCharsets.UTF_8)));
        }
        String action = form.get("Action");
        try {
            if (action == null || action.isEmpty()) {
                throw new Ec2Exception("MissingAction", "The request must contain the parameter Action");
            }
            if (scope == null) {
                throw new Ec2Exception(401, "AuthFailure", "AWS was not able to validate the provided access "
                        + "credentials (no SigV4 Authorization header)");
            }
            String region = scope.region();
            engine.countCall(action, region);
            CallSignals.Arrival arrival = engine.faults().signals().arrive(action, region, scope.accessKey());
            try {
                if (arrival.refuse()) {
                    throw new Ec2Exception(500, "InternalError", REFUSED);
                }
                Optional<String> fault = engine.faults().injectedError(action);
                if (fault.isPresent()) {
                    throw ec2Fault(fault.get());
                }
                return HttpReply.xml(200, ec2.handle(action, region, scope.accessKey(), form, requestId));
            } finally {
                arrival.handled();
            }
        } catch (Ec2Exception e) {
            return HttpReply.xml(e.status(), Ec2Xml.error(e.code(), e.getMessage(), requestId));
        }
    }

    private static Ec2Exception ec2Fault(String code) {
        return switch (code) {
            case Faults.THROTTLE -> new Ec2Exception(503, "RequestLimitExceeded", "Request limit exceeded.");
            case Faults.INTERNAL -> new Ec2Exception(500, "InternalError",
                    "An internal error has occurred. (injected fault)");
            default -> new Ec2Exception(Ec2Exception.statusFor(code), code, "Injected fault: " + code);
        };
    }

    HttpReply ebs(String operation, SigV4.Scope scope, String path, Map<String, String> query,
            Map<String, String> headers, InputStream body) throws IOException {
        String requestId = Ids.requestId();
        try {
            if (scope == null) {
                throw new EbsException(403, "AccessDeniedException", null, "Missing SigV4 Authorization header");
            }
            String region = scope.region();
            engine.countCall(operation, region);
            CallSignals.Arrival arrival = engine.faults().signals().arrive(operation, region, scope.accessKey());
            try {
                if (arrival.refuse()) {
                    throw new EbsException(500, "InternalServerException", null, REFUSED);
                }
                Optional<String> fault = engine.faults().injectedError(operation);
                if (fault.isPresent()) {
                    throw ebsFault(fault.get());
                }
                return ebs.handle(operation, region, path, query, headers, body).header("x-amzn-RequestId", requestId);
            } finally {
                arrival.handled();
            }
        } catch (EbsException e) {
            return ebsError(e.status(), e.type(), e.reason(), e.getMessage(), requestId);
        } catch (Ec2Exception e) {
            return ebsError(e.status() == 401 ? 403 : e.status(), e.code().equals("AuthFailure")
                    ? "AccessDeniedException" : e.code(), null, e.getMessage(), requestId);
        } catch (NumberFormatException e) {
            return ebsError(400, "ValidationException", "INVALID_PARAMETER_VALUE", "Malformed number: "
                    + e.getMessage(), requestId);
        }
    }

    /** @param accessKey the signing access key, for the call signals; null for an anonymous request */
    HttpReply s3(S3Request request, String accessKey) throws IOException {
        String requestId = Ids.requestId().replace("-", "").substring(0, 16).toUpperCase(Locale.ROOT);
        String hostId = Base64.getEncoder().encodeToString(requestId.getBytes(StandardCharsets.UTF_8));
        String operation = S3Api.operation(request);
        HttpReply reply;
        try {
            if (!request.anonymous() && !engine.serves(request.region())) {
                throw new S3Exception(400, "AuthorizationHeaderMalformed", "The authorization header is malformed; "
                        + "the region '" + request.region() + "' is not served by this emulator");
            }
            String region = request.anonymous() ? "anonymous" : request.region();
            engine.countCall(operation, region);
            // crash tests stop at S3 calls too (a SIGKILL between two part uploads of a bundle)
            CallSignals.Arrival arrival = engine.faults().signals().arrive(operation, region, accessKey);
            try {
                if (arrival.refuse()) {
                    throw new S3Exception(500, "InternalError", REFUSED);
                }
                Optional<String> fault = engine.faults().injectedError(operation);
                if (fault.isPresent()) {
                    throw s3Fault(fault.get());
                }
                reply = s3.handle(operation, request);
            } finally {
                arrival.handled();
            }
        } catch (S3Exception e) {
            reply = S3Api.error(e, requestId, hostId);
        } catch (NumberFormatException e) {
            reply = S3Api.error(new S3Exception(400, "InvalidArgument", "Malformed number: " + e.getMessage()),
                    requestId, hostId);
        }
        return reply.header("x-amz-request-id", requestId).header("x-amz-id-2", hostId);
    }

    private static S3Exception s3Fault(String code) {
        return switch (code) {
            case Faults.THROTTLE -> new S3Exception(503, "SlowDown", "Please reduce your request rate.");
            case Faults.INTERNAL -> new S3Exception(500, "InternalError",
                    "We encountered an internal error. Please try again. (injected fault)");
            default -> new S3Exception(Ec2Exception.statusFor(code), code, "Injected fault: " + code);
        };
    }

    private static EbsException ebsFault(String code) {
        return switch (code) {
            case Faults.THROTTLE -> new EbsException(503, "SlowDown", null, "Please reduce your request rate.");
            case Faults.INTERNAL -> new EbsException(500, "InternalServerException", null,
                    "An internal error has occurred. (injected fault)");
            default -> new EbsException(Ec2Exception.statusFor(code), code,
                    code.equals("ResourceNotFoundException") ? "SNAPSHOT_NOT_FOUND" : null, "Injected fault: " + code);
        };
    }

    private static HttpReply ebsError(int status, String type, String reason, String message, String requestId) {
        ObjectNode body = JSON.createObjectNode();
        body.put("message", message);
        if (reason != null) {
            body.put("Reason", reason);
        }
        return HttpReply.json(status, body.toString()).header("x-amzn-ErrorType", type)
                .header("x-amzn-RequestId", requestId);
    }

    /** A Service Quotas call (AWS JSON 1.1): counted and maybe failed like the others, errors in JSON. */
    HttpReply serviceQuotas(String operation, SigV4.Scope scope, InputStream body) throws IOException {
        String requestId = Ids.requestId();
        if (scope == null) {
            return ServiceQuotasApi.error(403, "AccessDeniedException", "Missing SigV4 Authorization header")
                    .header("x-amzn-RequestId", requestId);
        }
        engine.countCall(operation, scope.region());
        Optional<String> fault = engine.faults().injectedError(operation);
        HttpReply reply;
        if (fault.isPresent()) {
            EbsException e = ebsFault(fault.get());
            reply = ServiceQuotasApi.error(e.status(), e.type(), e.getMessage());
        } else {
            reply = serviceQuotas.handle(operation, scope.region(), body.readAllBytes());
        }
        return reply.header("x-amzn-RequestId", requestId);
    }
}
