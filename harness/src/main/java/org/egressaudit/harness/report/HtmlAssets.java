package org.egressaudit.harness.report;

/** The HTML report's inline style sheet and script (kept in Java: harness resources are Maven-filtered). */
final class HtmlAssets {
    private HtmlAssets() {
    }

    static final String CSS = """
            :root{--fail:#c62828;--fail-bg:#fdecea;--opaque:#b26a00;--opaque-bg:#fff4e0;--pass:#2e7d32;
              --pass-bg:#e8f5e9;--allowed-bg:#e3f2fd;--allowed:#1565c0;--ink:#1d1d1f;--muted:#666;--line:#ddd;
              --mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);
              background:#fafafa}
            main{max-width:1240px;margin:0 auto;padding:0 16px 48px}
            code,.mono{font-family:var(--mono);font-size:12.5px}
            a{color:#0b57d0}
            .banner{padding:18px 24px;color:#fff}
            .banner.v-FAIL{background:var(--fail)}.banner.v-OPAQUE{background:var(--opaque)}
            .banner.v-PASS{background:var(--pass)}.banner.v-UNKNOWN{background:#555}
            .banner h1{margin:0 0 4px;font-size:30px;letter-spacing:.5px}
            .banner .why{font-size:16px;margin-bottom:10px}
            .banner dl{display:grid;grid-template-columns:max-content 1fr max-content 1fr;gap:2px 14px;margin:0}
            .banner dt{opacity:.85}.banner dd{margin:0;word-break:break-all}
            nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:6px 24px;z-index:2}
            nav a{margin-right:16px;text-decoration:none}
            section{margin-top:28px}
            h2{font-size:19px;border-bottom:2px solid var(--line);padding-bottom:4px}
            table{border-collapse:collapse;background:#fff;width:100%}
            th,td{border:1px solid var(--line);padding:3px 7px;text-align:left;vertical-align:top}
            th{background:#f0f0f0;font-weight:600}
            td.wrap{word-break:break-all}
            .eff{display:inline-block;padding:0 6px;border-radius:3px;font-weight:700;font-size:12px;color:#fff}
            .eff.e-FAIL{background:var(--fail)}.eff.e-OPAQUE{background:var(--opaque)}.eff.e-PASS{background:var(--allowed)}
            tr.r-FAIL td{background:var(--fail-bg)}tr.r-OPAQUE td{background:var(--opaque-bg)}
            tr.r-PASS td{background:var(--allowed-bg)}
            tr.r-FAIL td:first-child{border-left:4px solid var(--fail)}
            tr.r-OPAQUE td:first-child{border-left:4px solid var(--opaque)}
            tr.r-PASS td:first-child{border-left:4px solid var(--allowed)}
            .kind{display:inline-block;min-width:54px;font-size:11px;text-transform:uppercase;color:var(--muted)}
            table.matrix,table.ranges{width:auto}
            .matrix td.cell{text-align:center;min-width:90px}
            .matrix td.c-FAIL{background:var(--fail);color:#fff}.matrix td.c-OPAQUE{background:var(--opaque);color:#fff}
            .matrix td.c-PASS{background:var(--allowed-bg)}.matrix td.c-none{color:#bbb}
            .matrix td.c-FAIL a,.matrix td.c-OPAQUE a{color:#fff}
            .matrix th.col{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;max-height:220px}
            .finding{background:#fff;border:1px solid var(--line);border-left:6px solid var(--line);padding:10px 14px;
              margin:14px 0}
            .finding.f-FAIL{border-left-color:var(--fail)}.finding.f-OPAQUE{border-left-color:var(--opaque)}
            .finding.f-PASS{border-left-color:var(--allowed)}
            .finding:target{box-shadow:0 0 0 3px #ffd54f}
            .finding h3{margin:0 0 8px;font-size:16px}
            .finding dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0 0 8px}
            .finding dt{color:var(--muted)}.finding dd{margin:0;word-break:break-all}
            .chain{background:#f3f0ff;padding:1px 5px;border-radius:3px}
            .hexdump{font-family:var(--mono);font-size:12.5px;background:#1e1e1e;color:#ddd;padding:8px 10px;
              overflow-x:auto;white-space:pre;line-height:1.5}
            .hexdump .off{color:#888}.hexdump mark{background:#ffd54f;color:#000}
            .note{color:var(--muted)}
            .plain{background:var(--opaque-bg);border:1px solid #f0c36d;padding:8px 12px}
            ul.warn li{margin:3px 0}
            .filters{margin:6px 0}
            """;

    static final String JS = """
            (function(){
              var box=document.getElementById('only-findings');
              if(!box){return;}
              box.addEventListener('change',function(){
                var rows=document.querySelectorAll('#timeline tbody tr');
                for(var i=0;i<rows.length;i++){
                  rows[i].style.display=(box.checked&&!rows[i].hasAttribute('data-finding'))?'none':'';
                }
              });
            })();
            """;
}
