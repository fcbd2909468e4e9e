# Varnish (Debian's varnish with varnish-modules) in front of healthsite: /etc/varnish/default.vcl.
# Public pages are cached for their s-maxage and purged by cache tag (xkey) when they change:
# the app servers send "PURGE /" with an xkey-purge header (website/frontend_cache.py).
vcl 4.1;

import xkey;

# The load balancer (deploy/nginx/healthsite.conf) or one app server.
backend default {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may purge: the app servers (and cron's host).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Send the tags to purge in an xkey-purge header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, and anyone signed in (a session cookie), always reach the app.
    if (req.url ~ "^/admin/" || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Anonymous readers: no cookie reaches the app, so one copy serves them all.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Never keep a response that sets a cookie (the app sends none on public pages).
    if (beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # After a purge, serve nothing old: no grace.
    set beresp.grace = 0s;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    # The tags are for this cache; readers need only Cache-Tag/Surrogate-Key if a CDN sits in
    # front. xkey is dropped.
    unset resp.http.xkey;
}
