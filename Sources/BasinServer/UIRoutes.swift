import BasinHTTP
import Hummingbird

/// The web UI at `/`: a single page that runs PromQL through `/prometheus/api/v1/query_range`
/// with a token the user pastes (kept in the browser's session storage only).
struct UIRoutes {
    func register(on router: Router<BasinRequestContext>) {
        router.get("/") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: UIRoutes.page)))
        }
    }

    static let page = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Basin</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:2em;max-width:72em;color:#222}
        input,button{font:inherit;padding:.3em}#q{width:40em}table{border-collapse:collapse;margin-top:1em}
        td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}.err{color:#b00}
        </style></head><body>
        <h1>Basin</h1>
        <p>Self-hosted telemetry backend. Query with PromQL; metric names keep their vendor spelling
        (<code>{"system.cpu.user", host="a"}</code>).</p>
        <p><label>Token <input id="t" type="password" size="34"></label>
        <label>Range <select id="r"><option value="900">15 min</option><option value="3600" selected>1 h</option>
        <option value="21600">6 h</option><option value="86400">24 h</option></select></label></p>
        <p><input id="q" placeholder='avg by (host) ({"system.cpu.user"})'> <button id="go">Run</button></p>
        <div id="out"></div>
        <p><a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a></p>
        <script>
        const t=document.getElementById('t');t.value=sessionStorage.getItem('basinToken')||'';
        document.getElementById('go').onclick=async()=>{
          sessionStorage.setItem('basinToken',t.value);
          const end=Date.now()/1000,range=+document.getElementById('r').value,start=end-range,step=Math.max(15,Math.ceil(range/240));
          const body=new URLSearchParams({query:document.getElementById('q').value,start,end,step});
          const out=document.getElementById('out');out.textContent='…';
          const res=await fetch('/prometheus/api/v1/query_range',{method:'POST',body,headers:{Authorization:'Bearer '+t.value}});
          const j=await res.json();
          if(j.status!=='success'){out.innerHTML='';const p=document.createElement('p');p.className='err';p.textContent=j.error||res.status;out.append(p);return;}
          const table=document.createElement('table');
          table.innerHTML='<tr><th>series</th><th>points</th><th>last</th><th>min</th><th>max</th></tr>';
          for(const s of j.data.result){
            const vals=s.values.map(v=>+v[1]);const tr=document.createElement('tr');
            const name=Object.entries(s.metric).map(([k,v])=>k+'="'+v+'"').join(', ');
            for(const c of ['{'+name+'}',vals.length,vals[vals.length-1],Math.min(...vals),Math.max(...vals)]){const td=document.createElement('td');td.textContent=c;tr.append(td);}
            table.append(tr);
          }
          out.innerHTML='';out.append(table);
        };
        </script></body></html>
        """
}
