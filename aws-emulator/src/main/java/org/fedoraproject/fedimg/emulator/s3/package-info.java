/**
 * S3, the subset fedimg uses, path-style on the one endpoint:
 * {@link org.fedoraproject.fedimg.emulator.s3.S3Api} names each request's operation and dispatches it to the
 * handlers of buckets ({@code BucketCalls}), objects ({@code ObjectCalls}) and multipart uploads
 * ({@code MultipartCalls}), which share {@code S3Calls} (region binding, ACLs, tags, the checks of an upload's
 * body); {@link org.fedoraproject.fedimg.emulator.s3.S3Store} holds the buckets under its own lock and the bytes
 * in files, and is how EC2 reads bundles. Public: {@code S3Api}, {@code S3Store}, {@code S3Request} and
 * {@code S3Exception} (for the HTTP front, the engine and the EC2 handlers). Not an API.
 */
package org.fedoraproject.fedimg.emulator.s3;
