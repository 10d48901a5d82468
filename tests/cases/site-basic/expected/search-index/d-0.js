runbookcSearch.docs(0,[
["About this handbook","about.html","","Pages at the root are listed on the home page.",""],
["Databases","db/index.html","","Everything about the databases; start at the lag runbook.",""],
["Replica lag \u003cscript\u003ealert(1)\u003c/script\u003e","db/lag.html","sev2","Replicas fall behind; see the outage runbook and a diagram. The database section lists the rest.","db:replica.lag ReplicaLagHigh"],
["A guide two folders down","ops/deep/guide.html","","Nested folders get generated index pages.",""],
["Full outage","ops/outage.html","sev1","Everything is down.","SiteDown"]]);
