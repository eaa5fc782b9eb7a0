"""Docker healthcheck for the web service: GET /health/ answers 200 (the database answers).

Production settings redirect plain HTTP to HTTPS and refuse unknown host names, so the
check says it came through the TLS proxy (X-Forwarded-Proto) and uses the first name in
ALLOWED_HOSTS. Exits 0 when healthy, 1 otherwise.

    python scripts/healthcheck.py [URL]      (default http://127.0.0.1:8000/health/)
"""

import os
import sys
import urllib.request


def host_header() -> str:
    for name in os.environ.get("ALLOWED_HOSTS", "").split(","):
        name = name.strip().lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/health/"
    request = urllib.request.Request(
        url, headers={"Host": host_header(), "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            healthy = response.status == 200
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    print("healthy" if healthy else "unhealthy")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
