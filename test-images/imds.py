#!/usr/bin/env python3
"""A throwaway EC2 instance metadata service for boot-check.sh (the emulator will serve its own).

Serves one instance on 127.0.0.1:PORT: the IMDSv2 token (PUT /latest/api/token), meta-data/instance-id,
instance-type, local-hostname, local-ipv4, public-keys/0/openssh-key and user-data. With --v2-only a
request without a valid token gets 401, as from an AMI registered with ImdsSupport v2.0. Every request
is logged to stderr, so the check can see what the guest asked.
"""
import argparse
import http.server
import os
import secrets
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0, help="0: any free port, written to --port-file")
    ap.add_argument("--port-file")
    ap.add_argument("--instance-id", required=True)
    ap.add_argument("--instance-type", default="t3.micro")
    ap.add_argument("--local-ipv4", default="172.31.0.10")
    ap.add_argument("--public-key", help="file with the OpenSSH public key")
    ap.add_argument("--user-data", help="file with the user-data")
    ap.add_argument("--v2-only", action="store_true")
    args = ap.parse_args()

    public_key = open(args.public_key, "rb").read() if args.public_key else None
    user_data = open(args.user_data, "rb").read() if args.user_data else None
    tokens = set()
    hostname = "ip-" + args.local_ipv4.replace(".", "-") + ".ec2.internal"
    meta = {
        "instance-id": args.instance_id.encode(),
        "instance-type": args.instance_type.encode(),
        "local-hostname": hostname.encode(),
        "local-ipv4": args.local_ipv4.encode(),
    }
    if public_key is not None:
        meta["public-keys/0/openssh-key"] = public_key

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def send(self, code, body=b""):
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_PUT(self):
            if self.path != "/latest/api/token":
                return self.send(404)
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return self.send(400)
            token = secrets.token_urlsafe(32)
            tokens.add(token)
            self.send(200, token.encode())

        def do_GET(self):
            token = self.headers.get("X-aws-ec2-metadata-token")
            if token is not None and token not in tokens:
                return self.send(401)
            if token is None and args.v2_only:
                return self.send(401)
            if self.path == "/latest/user-data":
                return self.send(200, user_data) if user_data is not None else self.send(404)
            prefix = "/latest/meta-data/"
            if self.path.startswith(prefix) and self.path[len(prefix):] in meta:
                return self.send(200, meta[self.path[len(prefix):]])
            self.send(404)

        def log_message(self, fmt, *a):
            sys.stderr.write("imds: %s %s\n" % (self.command, fmt % a))
            sys.stderr.flush()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
