#!/usr/bin/env bash
# emergency_diagnosis.sh — diagnóstico completo do Agente WhatsApp em poucos minutos.
#
# Executa oito verificações somente-leitura (sistema, logs críticos, conectividade,
# performance, banco de dados, configuração, segurança, coleta de evidências),
# imprime um resumo com sugestões de ação e grava um pacote de evidências
# (.tar.gz) para anexar ao incidente. Não reinicia nem altera nenhum serviço.
#
# Código de saída: 0 saudável, 1 há avisos, 2 há falhas críticas, 64 uso incorreto.
set -euo pipefail

readonly SCRIPT_NAME="${0##*/}"

APP_DIR="${WA_APP_DIR:-/opt/whats-agent}"
HEALTH_URL="${WA_HEALTH_URL:-http://127.0.0.1:8000/health}"
PUBLIC_URL="${WA_PUBLIC_URL:-https://wa-agent.example.org}"
APP_SERVICE="${WA_APP_SERVICE:-app}"
DB_SERVICE="${WA_DB_SERVICE:-db}"
CACHE_SERVICE="${WA_CACHE_SERVICE:-redis}"
META_API_HOST="${WA_META_API_HOST:-graph.facebook.com}"
OUTPUT_DIR="${TMPDIR:-/tmp}"
LOG_WINDOW_LINES=2000
DRY_RUN=0
QUICK=0

# Variáveis que o .env precisa definir (só os nomes são conferidos, nunca os valores).
REQUIRED_ENV_VARS=(WHATSAPP_ACCESS_TOKEN WHATSAPP_PHONE_NUMBER_ID WHATSAPP_VERIFY_TOKEN
	WHATSAPP_APP_SECRET DATABASE_URL REDIS_URL)

usage() {
	cat <<EOF
Uso: $SCRIPT_NAME [opções]

Diagnóstico de emergência do Agente WhatsApp (somente leitura).

Opções:
  --app-dir DIR      diretório da aplicação (padrão: \$WA_APP_DIR ou /opt/whats-agent)
  --output-dir DIR   onde gravar o pacote de evidências (padrão: \$TMPDIR ou /tmp)
  --lines N          linhas finais de cada log analisadas (padrão: $LOG_WINDOW_LINES)
  --quick            só as verificações 1, 3, 5 e 8 (sistema, conectividade, banco, evidências)
  --dry-run          não grava o pacote de evidências; só imprime o diagnóstico
  -h, --help         mostra esta ajuda

Variáveis de ambiente: WA_APP_DIR, WA_HEALTH_URL, WA_PUBLIC_URL, WA_APP_SERVICE,
WA_DB_SERVICE, WA_CACHE_SERVICE, WA_META_API_HOST.

Saída: 0 saudável, 1 avisos, 2 falhas críticas, 64 uso incorreto.
EOF
}

die_usage() {
	printf '%s: %s\n' "$SCRIPT_NAME" "$1" >&2
	printf 'Use %s --help para ver as opções.\n' "$SCRIPT_NAME" >&2
	exit 64
}

while [[ $# -gt 0 ]]; do
	case "$1" in
	--app-dir)
		[[ $# -ge 2 ]] || die_usage "--app-dir exige um diretório"
		APP_DIR="$2"
		shift 2
		;;
	--output-dir)
		[[ $# -ge 2 ]] || die_usage "--output-dir exige um diretório"
		OUTPUT_DIR="$2"
		shift 2
		;;
	--lines)
		[[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die_usage "--lines exige um número inteiro"
		LOG_WINDOW_LINES="$2"
		shift 2
		;;
	--quick)
		QUICK=1
		shift
		;;
	--dry-run)
		DRY_RUN=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		die_usage "opção desconhecida: $1"
		;;
	esac
done

[[ -d "$APP_DIR" ]] || die_usage "diretório da aplicação não existe: $APP_DIR"
LOG_DIR="$APP_DIR/logs"

TS="$(date +%Y%m%d-%H%M%S)"
WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/wa-diag.XXXXXX")"
trap 'rm -rf -- "$WORK_DIR"' EXIT

CRITICAL=0
WARNINGS=0
SUGGESTIONS=()

log() { printf '%s [%s] %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$1" "$2"; }
ok() { log OK "$1"; }
warn() {
	log AVISO "$1"
	WARNINGS=$((WARNINGS + 1))
}
crit() {
	log CRITICO "$1"
	CRITICAL=$((CRITICAL + 1))
}
suggest() { SUGGESTIONS+=("$1"); }
section() { printf '\n=== %s ===\n' "$1"; }

# Guarda a saída de um comando como evidência, sem deixar a falha dele abortar o script.
capture() {
	local name="$1"
	shift
	{ "$@" 2>&1 || true; } >"$WORK_DIR/$name.txt"
}

have() { command -v "$1" >/dev/null 2>&1; }

compose() { docker compose --project-directory "$APP_DIR" "$@"; }

# Comandos no contêiner do banco: $POSTGRES_USER e $POSTGRES_DB são expandidos lá dentro,
# com as variáveis que a imagem já conhece; nenhuma credencial passa por aqui.
# shellcheck disable=SC2016
db_ready() { compose exec -T "$DB_SERVICE" sh -c 'pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB"'; }
# shellcheck disable=SC2016
db_query() { compose exec -T "$DB_SERVICE" sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Atc "$1"' _ "$1"; }

# Estado de um serviço do compose: running, exited, restarting... ou "ausente".
service_state() {
	local id
	id="$(compose ps -q "$1" 2>/dev/null | head -n1 || true)"
	if [[ -z "$id" ]]; then
		echo ausente
		return
	fi
	docker inspect -f '{{.State.Status}}' "$id" 2>/dev/null || echo desconhecido
}

tail_log() { tail -n "$LOG_WINDOW_LINES" "$LOG_DIR/$1" 2>/dev/null || true; }

check_system() {
	section "1/8 Sistema"
	local load cores mem_pct disk_pct svc state
	load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)"
	cores="$(nproc 2>/dev/null || echo 1)"
	if awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l > c * 2) }'; then
		crit "load average $load para $cores CPUs (mais que o dobro)"
		suggest "Carga muito alta: veja runbook-performance-degradada.md"
	else
		ok "load average $load ($cores CPUs)"
	fi

	mem_pct="$(free | awk '/^Mem:/ { printf "%d", ($3 / $2) * 100 }')"
	if ((mem_pct >= 90)); then
		crit "memória em uso: ${mem_pct}%"
		suggest "Memória esgotando: docker stats e runbook-performance-degradada.md"
	elif ((mem_pct >= 80)); then
		warn "memória em uso: ${mem_pct}%"
	else
		ok "memória em uso: ${mem_pct}%"
	fi

	disk_pct="$(df -P "$APP_DIR" | awk 'NR == 2 { gsub("%", "", $5); print $5 }')"
	if ((disk_pct >= 90)); then
		crit "disco de $APP_DIR em ${disk_pct}%"
		suggest "Disco quase cheio: guia-problemas-comuns-p2.md#logs-excessivos"
	elif ((disk_pct >= 80)); then
		warn "disco de $APP_DIR em ${disk_pct}%"
	else
		ok "disco de $APP_DIR em ${disk_pct}%"
	fi

	if ! have docker; then
		crit "comando docker não encontrado"
		return
	fi
	if ! docker info >/dev/null 2>&1; then
		crit "daemon do Docker não responde"
		suggest "Docker parado: sudo systemctl status docker; depois runbook-sistema-fora-do-ar.md"
		return
	fi
	capture compose-ps compose ps -a
	for svc in "$APP_SERVICE" "$DB_SERVICE" "$CACHE_SERVICE"; do
		state="$(service_state "$svc")"
		if [[ "$state" == running ]]; then
			ok "serviço $svc: running"
		else
			crit "serviço $svc: $state"
			suggest "Serviço $svc fora do ar: ./scripts/emergency/auto_recovery.sh level1 (ou level2)"
		fi
	done
}

check_logs() {
	section "2/8 Logs críticos"
	local errors criticals
	if [[ ! -d "$LOG_DIR" ]]; then
		warn "diretório de logs ausente: $LOG_DIR"
		return
	fi
	errors="$(tail_log errors.log | grep -c -E 'ERROR|CRITICAL' || true)"
	criticals="$(tail_log errors.log | grep -c 'CRITICAL' || true)"
	if ((criticals > 0)); then
		crit "$criticals linhas CRITICAL nas últimas $LOG_WINDOW_LINES de errors.log"
	elif ((errors > 50)); then
		warn "$errors linhas ERROR nas últimas $LOG_WINDOW_LINES de errors.log"
	else
		ok "$errors linhas ERROR/CRITICAL em errors.log (janela de $LOG_WINDOW_LINES)"
	fi
	if ((errors > 0)); then
		echo "Mensagens de erro mais frequentes:"
		tail_log errors.log | grep -E 'ERROR|CRITICAL' |
			sed -E 's/^[0-9T:. +-]+//; s/[0-9a-f]{8,}/<id>/g; s/[0-9]+/N/g' |
			sort | uniq -c | sort -rn | head -n 5
		suggest "Erros recorrentes: runbook-taxa-de-erros-elevada.md"
	fi
	if tail_log errors.log | grep -qiE 'too many connections|connection refused|could not connect'; then
		crit "erros de conexão com o banco nos logs"
		suggest "Banco inacessível: runbook-banco-inacessivel.md"
	fi
	if tail_log errors.log | grep -qiE 'webhook|signature'; then
		warn "erros relacionados ao webhook nos logs"
		suggest "Webhook com falhas: runbook-webhook-falhando.md"
	fi
	capture errors-tail tail -n 300 "$LOG_DIR/errors.log"
	capture app-tail tail -n 300 "$LOG_DIR/app.log"
}

check_connectivity() {
	section "3/8 Conectividade"
	local code
	code="$(curl -s -o "$WORK_DIR/health-body.txt" -w '%{http_code}' --max-time 5 "$HEALTH_URL" || true)"
	if [[ "$code" == 200 ]]; then
		ok "health check local $HEALTH_URL: HTTP 200"
	else
		crit "health check local $HEALTH_URL: HTTP ${code:-000}"
		suggest "Aplicação não responde: runbook-sistema-fora-do-ar.md"
	fi

	code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$PUBLIC_URL/health" || true)"
	if [[ "$code" == 200 ]]; then
		ok "URL pública $PUBLIC_URL/health: HTTP 200"
	else
		crit "URL pública $PUBLIC_URL/health: HTTP ${code:-000} (a Meta não alcança o webhook)"
		suggest "Proxy/TLS/DNS: runbook-webhook-falhando.md#diagnóstico"
	fi

	if getent hosts "$META_API_HOST" >/dev/null 2>&1; then
		ok "DNS resolve $META_API_HOST"
	else
		crit "DNS não resolve $META_API_HOST"
		suggest "Sem DNS de saída: verificar /etc/resolv.conf e a rede do host"
	fi
	code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "https://$META_API_HOST/" || true)"
	if [[ "$code" =~ ^[1-5][0-9][0-9]$ ]]; then
		ok "saída HTTPS até $META_API_HOST (HTTP $code)"
	else
		crit "sem saída HTTPS até $META_API_HOST"
		suggest "Sem rota para a API da Meta: envio de mensagens falhará; ver runbook-webhook-falhando.md"
	fi
}

check_performance() {
	section "4/8 Performance"
	local out code t
	out="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 10 "$HEALTH_URL" || true)"
	code="${out%% *}"
	t="${out##* }"
	if [[ "$code" != 200 ]]; then
		warn "sem tempo de resposta: health check respondeu HTTP ${code:-000}"
	elif awk -v t="$t" 'BEGIN { exit !(t > 2) }'; then
		warn "health check levou ${t}s (> 2 s)"
		suggest "Latência alta: runbook-performance-degradada.md"
	else
		ok "health check respondeu em ${t}s"
	fi
	if have docker && docker info >/dev/null 2>&1; then
		docker stats --no-stream --format 'table {{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}' |
			tee "$WORK_DIR/docker-stats.txt" || true
	fi
	if [[ -f "$LOG_DIR/performance.log" ]]; then
		local slow
		slow="$(tail_log performance.log | grep -oE 'duration_ms"?[:=] ?[0-9]+' | grep -oE '[0-9]+$' |
			awk '$1 > 2000' | wc -l)"
		if ((slow > 20)); then
			warn "$slow requisições acima de 2000 ms em performance.log"
		else
			ok "$slow requisições acima de 2000 ms em performance.log"
		fi
	fi
}

check_database() {
	section "5/8 Banco de dados"
	if ! have docker || ! docker info >/dev/null 2>&1; then
		crit "Docker indisponível; banco não verificado"
		return
	fi
	if db_ready >"$WORK_DIR/pg_isready.txt" 2>&1; then
		ok "PostgreSQL aceita conexões"
	else
		crit "PostgreSQL não aceita conexões ($(tr -d '\n' <"$WORK_DIR/pg_isready.txt"))"
		suggest "Banco inacessível: runbook-banco-inacessivel.md"
		return
	fi
	local conns max
	conns="$(db_query 'select count(*) from pg_stat_activity' 2>/dev/null | tr -d '\r' || true)"
	max="$(db_query 'show max_connections' 2>/dev/null | tr -d '\r' || true)"
	if [[ "$conns" =~ ^[0-9]+$ && "$max" =~ ^[0-9]+$ ]] && ((conns * 100 >= max * 80)); then
		warn "conexões abertas: $conns de $max (>= 80%)"
		suggest "Pool de conexões perto do limite: runbook-banco-inacessivel.md#conexões-esgotadas"
	else
		ok "conexões abertas: $conns de $max"
	fi
	if compose exec -T "$CACHE_SERVICE" redis-cli ping 2>/dev/null | grep -q PONG; then
		ok "Redis responde PONG"
	else
		crit "Redis não responde"
		suggest "Cache fora: guia-problemas-comuns-p2.md#cache-cheio"
	fi
}

check_config() {
	section "6/8 Configuração"
	local env_file="$APP_DIR/.env" var
	if [[ ! -f "$env_file" ]]; then
		crit "arquivo .env ausente em $APP_DIR"
		suggest "Restaurar a configuração: runbook-disaster-recovery.md#3-restaurar-a-configuração"
		return
	fi
	for var in "${REQUIRED_ENV_VARS[@]}"; do
		if grep -qE "^${var}=.+" "$env_file"; then
			ok ".env define $var"
		else
			crit ".env não define $var"
		fi
	done
	if have docker && compose config -q >/dev/null 2>"$WORK_DIR/compose-config.txt"; then
		ok "docker compose config válido"
	else
		crit "docker compose config inválido (ver compose-config.txt no pacote)"
	fi
}

check_security() {
	section "7/8 Segurança"
	local perms events
	perms="$(stat -c '%a' "$APP_DIR/.env" 2>/dev/null || echo '?')"
	if [[ "$perms" == 600 || "$perms" == 400 ]]; then
		ok ".env com permissão $perms"
	else
		warn ".env com permissão $perms (esperado 600)"
		suggest "Corrigir permissão: chmod 600 $APP_DIR/.env"
	fi
	if [[ -f "$LOG_DIR/security.log" ]]; then
		events="$(tail_log security.log | grep -ciE 'invalid signature|unauthorized|forbidden|blocked|brute' || true)"
		if ((events > 100)); then
			crit "$events eventos suspeitos em security.log"
			suggest "Possível ataque: runbook-alerta-de-seguranca.md"
		elif ((events > 0)); then
			warn "$events eventos suspeitos em security.log"
		else
			ok "nenhum evento suspeito recente em security.log"
		fi
		capture security-tail tail -n 300 "$LOG_DIR/security.log"
	fi
	if have ss; then
		capture listening-ports ss -tlnp
		ok "portas em escuta gravadas no pacote (listening-ports.txt)"
	fi
}

collect_bundle() {
	section "8/8 Evidências"
	capture host-info uname -a
	capture uptime uptime
	capture df df -hP
	capture free free -m
	if have docker; then
		capture app-container-logs compose logs --no-color --tail 500 "$APP_SERVICE"
		capture db-container-logs compose logs --no-color --tail 200 "$DB_SERVICE"
	fi
	if [[ -d "$APP_DIR/.git" ]]; then
		capture git-last-commits git -C "$APP_DIR" log --oneline -5
	fi
	if ((DRY_RUN)); then
		log INFO "--dry-run: pacote de evidências não gravado"
		return
	fi
	local bundle="$OUTPUT_DIR/whats-agent-diag-$TS.tar.gz"
	mkdir -p "$OUTPUT_DIR"
	tar -czf "$bundle" -C "$WORK_DIR" .
	chmod 600 "$bundle"
	ok "pacote de evidências: $bundle"
}

log INFO "diagnóstico do Agente WhatsApp em $(hostname) — $APP_DIR"
check_system
[[ $QUICK -eq 1 ]] || check_logs
check_connectivity
[[ $QUICK -eq 1 ]] || check_performance
check_database
if [[ $QUICK -eq 0 ]]; then
	check_config
	check_security
fi
collect_bundle

section "Resumo"
log INFO "críticos: $CRITICAL · avisos: $WARNINGS"
if ((${#SUGGESTIONS[@]} > 0)); then
	echo "Ações sugeridas:"
	printf '%s\n' "${SUGGESTIONS[@]}" | awk '!seen[$0]++ { print "  - " $0 }'
fi
if ((CRITICAL > 0)); then
	log INFO "estado: CRÍTICO"
	exit 2
elif ((WARNINGS > 0)); then
	log INFO "estado: ATENÇÃO"
	exit 1
fi
log INFO "estado: SAUDÁVEL"
