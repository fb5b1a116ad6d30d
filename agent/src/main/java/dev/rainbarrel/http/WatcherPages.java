package dev.rainbarrel.http;

import dev.rainbarrel.stats.SampleSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * raindrops' {@code Raindrops::Watcher} pages over {@link EndpointSources}: the HTML index, the
 * {@code active}/{@code queued} histogram pages in text and HTML, and the reset redirect. Header
 * values are written as raindrops writes them (Ruby number formats, HTTP dates); when an aggregate
 * is empty {@code X-Min}/{@code X-Max} are empty and {@code X-Mean} is {@code NaN}, and
 * {@code X-Std-Dev} is {@code NaN} below two samples, as in raindrops.
 */
final class WatcherPages {
  private final EndpointSources sources;
  private final String hostname;

  WatcherPages(EndpointSources sources, String hostname) {
    this.sources = sources;
    this.hostname = hostname;
  }

  private long expiresMillis() {
    return sources.lastSampleMillis() + sources.interval().toMillis();
  }

  /** {@code GET /}. */
  Response index() {
    long updated = sources.lastSampleMillis();
    List<String> addresses = new ArrayList<>(sources.addresses());
    addresses.sort(null);
    StringBuilder sb = new StringBuilder(512 + 400 * addresses.size());
    sb.append("<html><head><title>").append(TextFormats.html(hostname)).append(" - all interfaces</title>")
        .append("</head><body><h3>Updated at ").append(TextFormats.iso8601(updated)).append("</h3>")
        .append("<table><tr><th>address</th><th>active</th><th>queued</th><th>reset</th></tr>");
    for (String addr : addresses) {
      SampleSnapshot a = sources.active(addr);
      SampleSnapshot q = sources.queued(addr);
      if (a == null || q == null) {
        continue; // removed between addresses() and now
      }
      String e = TextFormats.html(TextFormats.formEscape(addr));
      sb.append("<tr><td><a href='tail/").append(e).append(".txt' title='live tail, one line per sample'>")
          .append(TextFormats.html(addr)).append("</a></td>")
          .append("<td><a href='active/").append(e).append(".html' title='active connection statistics'>")
          .append(a.current()).append("</a></td>")
          .append("<td><a href='queued/").append(e).append(".html' title='queued connection statistics'>")
          .append(q.current()).append("</a></td>")
          .append("<td><form action='reset/").append(e).append("' method='post'>")
          .append("<input title='reset statistics' type='submit' name='x' value='x' /></form></td></tr>");
    }
    sb.append("</table><p>rainbarrel endpoint, compatible with raindrops' Watcher pages; ")
        .append("also served here: <a href='_raindrops'>_raindrops</a>, <a href='metrics'>metrics</a>, ")
        .append("<a href='stats.json'>stats.json</a>.</p></body></html>");
    return new Response(200, "text/html", sb.toString())
        .header("Last-Modified", TextFormats.httpDate(updated))
        .header("Expires", TextFormats.httpDate(expiresMillis()));
  }

  /** {@code GET /active|queued/<addr>.txt|.html}; 404 for an unknown address. */
  Response histogram(boolean active, String addr, boolean html) {
    SampleSnapshot s = active ? sources.active(addr) : sources.queued(addr);
    if (s == null) {
      return Response.notFound();
    }
    Map<String, String> x = statHeaders(s);
    String text = s.toText();
    Response r;
    if (html) {
      StringBuilder sb = new StringBuilder(1024 + text.length());
      sb.append("<html><head><title>").append(TextFormats.html(hostname)).append(" - ")
          .append(TextFormats.html(addr)).append("</title></head><body><table>");
      x.forEach((k, v) -> sb.append("<tr><td>").append(k.substring(2)).append("</td><td>")
          .append(TextFormats.html(v)).append("</td></tr>"));
      sb.append("</table><pre>").append(TextFormats.html(text)).append("</pre>")
          .append("<form action='../reset/").append(TextFormats.html(TextFormats.formEscape(addr)))
          .append("' method='post'><input type='submit' name='x' value='reset' /></form></body></html>");
      r = new Response(200, "text/html", sb.toString());
    } else {
      r = new Response(200, "text/plain", text);
    }
    x.forEach(r::header);
    r.header("Expires", TextFormats.httpDate(expiresMillis()));
    return r;
  }

  /** The eleven {@code X-} headers of a histogram page, in raindrops' order. */
  static Map<String, String> statHeaders(SampleSnapshot s) {
    Map<String, String> h = new LinkedHashMap<>();
    boolean empty = s.count() == 0;
    h.put("X-Count", Long.toString(s.count()));
    h.put("X-Min", empty ? "" : Long.toString(s.min()));
    h.put("X-Max", empty ? "" : Long.toString(s.max()));
    h.put("X-Mean", TextFormats.rubyFloat(empty ? Double.NaN : s.mean()));
    h.put("X-Std-Dev", TextFormats.rubyFloat(s.count() < 2 ? Double.NaN : s.stddev()));
    h.put("X-Outliers-Low", Long.toString(s.outliersLow()));
    h.put("X-Outliers-High", Long.toString(s.outliersHigh()));
    h.put("X-Last-Reset", TextFormats.httpDate(s.lastResetMillis()));
    h.put("X-Current", Long.toString(s.current()));
    h.put("X-First-Peak-At", TextFormats.httpDate(s.firstPeakAtMillis()));
    h.put("X-Last-Peak-At", TextFormats.httpDate(s.lastPeakAtMillis()));
    return h;
  }

  /** {@code POST /reset/<addr>}: 302 to the Referer (or {@code /}); 404 for an unknown address. */
  Response reset(String addr, String referer) {
    if (!sources.reset(addr)) {
      return Response.notFound();
    }
    String url = referer == null || referer.isEmpty() || !printable(referer) ? "/" : referer;
    return Response.text(302, "Redirecting to " + url + "\n").header("Location", url);
  }

  private static boolean printable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
