/**
 * The one HTTP endpoint: {@link org.fedoraproject.fedimg.emulator.http.HttpFront} (server, routing by path and
 * SigV4 scope to EC2, EBS direct, S3, Service Quotas or the admin API, injected latency), the call wrapper that
 * counts calls, injects faults and renders errors per protocol, SigV4 scope (with the access key that says which
 * account a call acts as) and {@code aws-chunked} bodies (with their
 * trailers), replies with streamed bodies, and the EC2 Query protocol itself:
 * {@link org.fedoraproject.fedimg.emulator.http.QueryBinder} (form to SDK request model) and
 * {@link org.fedoraproject.fedimg.emulator.http.Ec2Xml} (SDK response model to XML). Not an API.
 */
package org.fedoraproject.fedimg.emulator.http;
