namespace Zoptal.Perf.Core.Tests.Configuration;

/// <summary>Config texts shared by the loader and schema tests.</summary>
public static class Samples
{
    /// <summary>A file that uses every section and most keys.</summary>
    public const string EverySection = """
        version: 1
        services:
          - name: project
            baseUrl: http://${HOST:-127.0.0.1}:3002
            health: /healthz
            allowedHosts: [127.0.0.1]
            container: auth-service
            scenarios:
              - crud
              - name: search
                weight: 3
                requests:
                  - { method: post, path: /search, body: '{"q":"x"}', headers: { Content-Type: application/json }, check: { status: 200, bodyContains: results } }
                thresholds:
                  responseTimeP95: { warning: 300ms, critical: 600 }
            thresholds:
              errorRate: { warning: 0.5%, critical: 2 }
        load:
          executor: ramping-arrival-rate
          stages: [{ duration: 1m, target: 100 }, { duration: 30s, target: 0 }]
          preAllocatedVUs: 10
          maxVUs: 100
          timeUnit: 1s
          onSaturation: drop
          backlog: 5000
          maxDropped: 2%
          gradedLatency: measured
          thresholds:
            http_req_duration: ['p(95)<2000', 'avg<500']
            http_req_failed: ['rate<0.05']
            'latency{scenario:search}': [{ threshold: 'p(99)<1500', abortOnFail: true, delayAbortEval: 10s }]
            latency_corrected: ['p(99)<3000']
            vus: ['max<=100']
          http: { transport: sockets, connectionPool: per-vu, maxConnections: 16, timeout: 30s, http2: true, cookies: true }
        thresholds:
          requestsPerSecond: { warning: 200, critical: 20 }
        gate: { failOn: regression, minimumEffect: 5%, baseBranch: develop, exclude: [project/search] }
        results: { directory: out, history: { store: postgres, connectionString: "Host=127.0.0.1;Password=${PGPASSWORD}" } }
        database:
          connectionString: Host=127.0.0.1;Database=zoptal
          password: ${PGPASSWORD}
          slowQuery: { meanTime: 50ms, calls: 10 }
        docker: { host: "unix:///run/docker.sock", containers: [auth-service], sampleInterval: 2s }
        frontends:
          - { name: web, url: "http://127.0.0.1:3000", pages: [/, /login], runs: 5 }
        alerts:
          responseTime: { threshold: 2000ms, channels: [slack, email] }
          errorRate: { threshold: 5%, channels: [pagerduty] }
          webhookUrl: ${WEBHOOK:-}
        optimize: { postgresProfile: oltp, storage: nvme, include: ["**/Dockerfile"] }
        """;
}
