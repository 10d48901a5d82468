-- postgres.sql — consultas de diagnóstico do Postgres do ObraFlow (somente leitura).
-- Uso: kubectl -n obraflow-data exec -i obraflow-pg-0 -- psql -U postgres -d obraflow -f - < postgres.sql
-- As consultas que encerram sessões NÃO estão aqui de propósito: veja a página postgres.md.

\echo '== Uso de conexões vs. limite =='
select count(*) as em_uso,
       current_setting('max_connections')::int as max_conn,
       current_setting('superuser_reserved_connections')::int as reservadas,
       round(100.0 * count(*) / current_setting('max_connections')::int, 1) as pct
from pg_stat_activity;

\echo '== Sessões por usuário =='
select usename, count(*)
from pg_stat_activity
group by 1
order by 2 desc;

\echo '== Sessões por aplicação e estado =='
select coalesce(nullif(application_name, ''), '?') as app, state, count(*)
from pg_stat_activity
where backend_type = 'client backend'
group by 1, 2
order by 3 desc;

\echo '== Transações abertas há mais de 1 minuto =='
select pid, usename, application_name, state,
       now() - xact_start as duracao_tx,
       now() - state_change as no_estado_ha,
       left(query, 120) as consulta
from pg_stat_activity
where xact_start < now() - interval '1 minute'
order by xact_start
limit 20;

\echo '== Consultas ativas há mais de 30 segundos =='
select pid, application_name, now() - query_start as duracao, wait_event_type, wait_event, left(query, 120) as consulta
from pg_stat_activity
where state = 'active'
  and query_start < now() - interval '30 seconds'
  and backend_type = 'client backend'
order by query_start;

\echo '== Locks atuais =='
select l.pid, l.locktype, l.relation::regclass as relacao, l.mode, l.granted, a.application_name
from pg_locks l
left join pg_stat_activity a using (pid)
where l.relation is not null
order by l.granted, l.pid;

\echo '== Sessões bloqueadas e quem bloqueia =='
select pid, pg_blocking_pids(pid) as bloqueado_por, wait_event_type,
       now() - query_start as espera, left(query, 80) as consulta
from pg_stat_activity
where cardinality(pg_blocking_pids(pid)) > 0;
