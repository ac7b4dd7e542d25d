package org.fedoraproject.fedimg.emulator.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.emulator.Faults;
import org.fedoraproject.fedimg.emulator.ebs.EbsApi;
import org.fedoraproject.fedimg.emulator.ebs.EbsException;
import org.fedoraproject.fedimg.emulator.ec2.Ec2Api;
import org.fedoraproject.fedimg.emulator.ec2.Ec2Exception;
import org.fedoraproject.fedimg.emulator.quotas.ServiceQuotasApi;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.Ids;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One EC2 or EBS direct call, as every call goes: counted, maybe failed by an injected fault, handled, and
 * any error answered in its protocol's shape (EC2's XML {@code <Errors>}, EBS's JSON with
 * {@code x-amzn-ErrorType}).
 */
final class ApiCalls {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final Ec2Api ec2;
    private final EbsApi ebs;
    private final ServiceQuotasApi serviceQuotas;

    ApiCalls(Engine engine) {
        this.engine = engine;
        this.ec2 = new Ec2Api(engine);
        this.ebs = new EbsApi(engine);
        this.serviceQuotas = new ServiceQuotasApi(engine);
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
            Optional<String> fault = engine.faults().injectedError(action);
            if (fault.isPresent()) {
                throw ec2Fault(fault.get());
            }
            return HttpReply.xml(200, ec2.handle(action, region, scope.accessKey(), form, requestId));
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
            Optional<String> fault = engine.faults().injectedError(operation);
            if (fault.isPresent()) {
                throw ebsFault(fault.get());
            }
            return ebs.handle(operation, region, path, query, headers, body).header("x-amzn-RequestId", requestId);
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
