
namespace Zoptal.Perf.Core.Configuration;

public static partial class PerfConfigLoader
{
    private static HttpConfig ReadHttp(YamlObject? http)
    {
        var defaults = new HttpConfig();
        if (http is null)
            return defaults;
        var cookies = http.Bool("cookies") ?? false;
        var config = new HttpConfig
        {
            Transport = http.Enum<HttpTransport>("transport", "an HTTP transport") ?? defaults.Transport,
            ConnectionPool = http.Enum<ConnectionPoolKind>("connectionPool", "a connection pool kind") ?? (cookies ? ConnectionPoolKind.PerVu : defaults.ConnectionPool),
            MaxConnections = http.Int("maxConnections", 1, 100_000),
            Timeout = http.Duration("timeout", TimeSpan.FromMilliseconds(1)) ?? defaults.Timeout,
            ConnectTimeout = http.Duration("connectTimeout", TimeSpan.FromMilliseconds(1)) ?? defaults.ConnectTimeout,
            Http2 = http.Bool("http2") ?? false,
            Cookies = cookies,
            Decompression = http.Bool("decompression") ?? false,
        };
        if (cookies && config.ConnectionPool == ConnectionPoolKind.Shared && http.Has("connectionPool"))
            http.Context.Error(http.Get("connectionPool")!, http.ChildPath("connectionPool"), "cookies are kept per VU, so they need connectionPool: per-vu");
        http.ReportUnknownKeys();
        return config;
    }
}
