runbookcSearch.index({"v":1,"pages":5,"chunk":64,"min":2,"max":40,
"severities":{"sev1":{"label":"P0 — critical","color":"#b42318","ink":"#fff"},"sev2":{"label":"P1"},"sev3":{"label":"P2","color":"#ffe066","ink":"#111"}},
"shards":[""]});
