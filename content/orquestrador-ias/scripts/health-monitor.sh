#!/usr/bin/env bash
# health-monitor.sh — verificação de saúde do Orquestrador de IAs (PM2 + Express + MySQL).
#
# Verifica a porta da API, o processo PM2, o endpoint /api/health (status, banco e tempo
# de resposta), memória e CPU do processo, erros recentes no log e disco. Cada problema é
# impresso com o id do alerta correspondente, para levar direto ao runbook.
#
# Modo contínuo (--continuous) repete a verificação; com --auto-recover reinicia o processo
# depois de falhas críticas seguidas (com limite e intervalo mínimo entre reinícios).
#
# Saída (modo único): 0 SAUDÁVEL, 1 ATENÇÃO, 2 CRÍTICO, 64 uso incorreto.
set -euo pipefail

readonly SCRIPT_NAME="${0##*/}"

APP_DIR="${ORQ_APP_DIR:-/srv/orquestrador}"
PROCESS="${ORQ_PM2_PROCESS:-orquestrador-v3}"
PORT="${ORQ_PORT:-3001}"
HEALTH_URL="${ORQ_HEALTH_URL:-}"
MYSQL_CNF="${ORQ_MYSQL_CNF:-/etc/orquestrador/mysql-ops.cnf}"
SLACK_WEBHOOK_URL="${SLACK_WEBHOOK_URL:-}"

# Limites (playbook operacional): memória normal < 400 MB, atenção > 500 MB;
# SLA de resposta < 200 ms, alerta > 2 s; CPU > 80%; < 10 erros por dia.
MEM_WARN_MB=400
MEM_CRIT_MB=500
RESP_SLA_MS=200
RESP_CRIT_MS=2000
CPU_CRIT=80
ERRORS_PER_DAY_WARN=10
DISK_WARN=85
DISK_CRIT=95

CONTINUOUS=0
INTERVAL=60
AUTO_RECOVER=0
FAILURES_BEFORE_RESTART=3
COOLDOWN=600
MAX_RESTARTS_PER_HOUR=3
DRY_RUN=0
WRITE_LOG=1
QUIET=0

usage() {
	cat <<EOF
Uso: $SCRIPT_NAME [opções]

Verifica a saúde do Orquestrador de IAs e imprime SAUDÁVEL, ATENÇÃO ou CRÍTICO.

Opções:
  --continuous         repete a verificação a cada --interval segundos (Ctrl+C para sair)
  --interval N         intervalo do modo contínuo em segundos (padrão: $INTERVAL)
  --auto-recover       no modo contínuo, reinicia o processo PM2 após --failures
                       verificações CRÍTICAS seguidas (máx. $MAX_RESTARTS_PER_HOUR por hora)
  --failures N         falhas críticas seguidas antes de reiniciar (padrão: $FAILURES_BEFORE_RESTART)
  --dry-run            com --auto-recover, só mostra o reinício que faria
  --app-dir DIR        diretório da aplicação (padrão: \$ORQ_APP_DIR ou /srv/orquestrador)
  --process NOME       processo PM2 (padrão: $PROCESS)
  --url URL            endpoint de saúde (padrão: http://127.0.0.1:PORTA/api/health)
  --no-log             não grava o resumo em logs/health-monitor.log
  --quiet              imprime só o resumo final
  -h, --help           mostra esta ajuda

Ambiente: ORQ_APP_DIR, ORQ_PM2_PROCESS, ORQ_PORT, ORQ_HEALTH_URL,
ORQ_MYSQL_CNF (arquivo de opções do cliente MySQL, padrão /etc/orquestrador/mysql-ops.cnf),
SLACK_WEBHOOK_URL (opcional, notificações do modo contínuo).

Saída: 0 SAUDÁVEL, 1 ATENÇÃO, 2 CRÍTICO, 64 uso incorreto.
EOF
}

die_usage() {
	printf '%s: %s\n' "$SCRIPT_NAME" "$1" >&2
	printf 'Use %s --help para ver as opções.\n' "$SCRIPT_NAME" >&2
	exit 64
}

need_number() {
	[[ "${2:-}" =~ ^[0-9]+$ && "$2" -gt 0 ]] || die_usage "$1 exige um número inteiro positivo"
}

while [[ $# -gt 0 ]]; do
	case "$1" in
	--continuous)
		CONTINUOUS=1
		shift
		;;
	--interval)
		need_number "$1" "${2:-}"
		INTERVAL="$2"
		shift 2
		;;
	--auto-recover)
		AUTO_RECOVER=1
		shift
		;;
	--failures)
		need_number "$1" "${2:-}"
		FAILURES_BEFORE_RESTART="$2"
		shift 2
		;;
	--dry-run)
		DRY_RUN=1
		shift
		;;
	--app-dir)
		[[ $# -ge 2 ]] || die_usage "--app-dir exige um diretório"
		APP_DIR="$2"
		shift 2
		;;
	--process)
		[[ $# -ge 2 ]] || die_usage "--process exige um nome"
		PROCESS="$2"
		shift 2
		;;
	--url)
		[[ "${2:-}" =~ ^https?:// ]] || die_usage "--url exige uma URL http(s)"
		HEALTH_URL="$2"
		shift 2
		;;
	--no-log)
		WRITE_LOG=0
		shift
		;;
	--quiet)
		QUIET=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) die_usage "opção desconhecida: $1" ;;
	esac
done

((AUTO_RECOVER == 0 || CONTINUOUS == 1)) || die_usage "--auto-recover só vale com --continuous"
[[ -d "$APP_DIR" ]] || die_usage "diretório da aplicação não existe: $APP_DIR"
HEALTH_URL="${HEALTH_URL:-http://127.0.0.1:$PORT/api/health}"
LOG_FILE="$APP_DIR/logs/health-monitor.log"

for cmd in curl jq pm2; do
	command -v "$cmd" >/dev/null 2>&1 || {
		printf '%s: comando obrigatório ausente: %s\n' "$SCRIPT_NAME" "$cmd" >&2
		exit 2
	}
done

STATUS=0 # 0 saudável, 1 atenção, 2 crítico
PROBLEMS=()

now() { date '+%Y-%m-%dT%H:%M:%S%z'; }
say() { ((QUIET)) || printf '%s [%s] %s\n' "$(now)" "$1" "$2"; }
ok() { say OK "$1"; }
warn() {
	say AVISO "$1: $2"
	PROBLEMS+=("$1")
	((STATUS >= 1)) || STATUS=1
}
crit() {
	say CRÍTICO "$1: $2"
	PROBLEMS+=("$1")
	STATUS=2
}

check_port() {
	if ss -tln 2>/dev/null | awk '{ print $4 }' | grep -qE "[:.]$PORT\$"; then
		ok "porta $PORT em escuta"
	else
		crit OrquestradorSistemaOffline "nada escutando na porta $PORT"
	fi
}

check_pm2() {
	local info status restarts mem_bytes cpu mem_mb
	info="$(pm2 jlist 2>/dev/null | jq -c --arg n "$PROCESS" '[.[] | select(.name == $n)][0] // empty' 2>/dev/null || true)"
	if [[ -z "$info" ]]; then
		crit OrquestradorPm2ProcessoParado "processo $PROCESS não existe no PM2 (pm2 resurrect ou pm2 start ecosystem.config.cjs)"
		return
	fi
	status="$(jq -r '.pm2_env.status' <<<"$info")"
	restarts="$(jq -r '.pm2_env.restart_time // 0' <<<"$info")"
	mem_bytes="$(jq -r '.monit.memory // 0' <<<"$info")"
	cpu="$(jq -r '.monit.cpu // 0' <<<"$info")"
	mem_mb=$((mem_bytes / 1024 / 1024))

	if [[ "$status" == online ]]; then
		ok "PM2 $PROCESS: online"
	else
		crit OrquestradorPm2ProcessoParado "PM2 $PROCESS em $status"
		return
	fi
	if ((restarts > 0)); then
		warn OrquestradorPm2Reinicios "$restarts reinício(s) desde o último start/reset (esperado: 0)"
	else
		ok "PM2 $PROCESS: 0 reinícios"
	fi
	if ((mem_mb > MEM_CRIT_MB)); then
		crit OrquestradorMemoriaAlta "memória do processo ${mem_mb} MB (> ${MEM_CRIT_MB} MB)"
	elif ((mem_mb > MEM_WARN_MB)); then
		warn OrquestradorMemoriaAlta "memória do processo ${mem_mb} MB (normal < ${MEM_WARN_MB} MB)"
	else
		ok "memória do processo ${mem_mb} MB"
	fi
	if awk -v c="$cpu" -v l="$CPU_CRIT" 'BEGIN { exit !(c > l) }'; then
		crit OrquestradorCpuAlta "CPU do processo ${cpu}% (> ${CPU_CRIT}%)"
	else
		ok "CPU do processo ${cpu}%"
	fi
}

check_health_endpoint() {
	local body out code time_s ms status db
	body="$(mktemp)"
	out="$(curl -s -o "$body" -w '%{http_code} %{time_total}' --max-time 10 "$HEALTH_URL" || true)"
	code="${out%% *}"
	time_s="${out##* }"
	if [[ "$code" != 200 ]]; then
		crit OrquestradorSistemaOffline "$HEALTH_URL respondeu HTTP ${code:-000}"
		rm -f -- "$body"
		return
	fi
	ms="$(awk -v t="$time_s" 'BEGIN { printf "%d", t * 1000 }')"
	status="$(jq -r '.status // "ausente"' <"$body" 2>/dev/null || echo inválido)"
	db="$(jq -r '.database // "ausente"' <"$body" 2>/dev/null || echo inválido)"
	rm -f -- "$body"

	if [[ "$status" == ok ]]; then
		ok "/api/health: HTTP 200, status ok"
	else
		crit OrquestradorSistemaOffline "/api/health: HTTP 200 mas status \"$status\""
	fi
	if [[ "$db" == connected ]]; then
		ok "banco: connected"
	else
		crit OrquestradorBancoDesconectado "/api/health informa database \"$db\""
	fi
	if ((ms > RESP_CRIT_MS)); then
		crit OrquestradorRespostaLenta "resposta em ${ms} ms (> ${RESP_CRIT_MS} ms)"
	elif ((ms > RESP_SLA_MS)); then
		warn OrquestradorRespostaLenta "resposta em ${ms} ms (SLA < ${RESP_SLA_MS} ms)"
	else
		ok "tempo de resposta ${ms} ms"
	fi
}

check_mysql() {
	# Só roda se houver o arquivo de opções com as credenciais (nunca na linha de comando).
	[[ -r "$MYSQL_CNF" ]] || return 0
	command -v mysqladmin >/dev/null 2>&1 || return 0
	if mysqladmin --defaults-extra-file="$MYSQL_CNF" --connect-timeout=5 ping >/dev/null 2>&1; then
		ok "MySQL responde a ping"
	else
		crit OrquestradorBancoDesconectado "mysqladmin ping falhou (sudo systemctl status mysql)"
	fi
}

check_error_log() {
	local file="$APP_DIR/logs/error.log" today count age_min
	if [[ ! -f "$file" ]]; then
		ok "sem logs/error.log"
		return
	fi
	today="$(date +%F)"
	count="$(grep -F -- "$today" "$file" | grep -ciE 'error' || true)"
	age_min=$((($(date +%s) - $(stat -c %Y "$file")) / 60))
	if ((count > ERRORS_PER_DAY_WARN)); then
		warn OrquestradorErrosNoLog "$count linhas de erro hoje em logs/error.log (meta < $ERRORS_PER_DAY_WARN/dia)"
	else
		ok "$count linhas de erro hoje em logs/error.log"
	fi
	if ((age_min < 15 && $(stat -c %s "$file") > 0)); then
		say INFO "logs/error.log alterado há $age_min min: tail -50 logs/error.log"
	fi
}

check_disk() {
	local pct
	pct="$(df -P "$APP_DIR" | awk 'NR == 2 { gsub("%", "", $5); print $5 }')"
	if ((pct >= DISK_CRIT)); then
		crit OrquestradorDiscoCheio "disco de $APP_DIR em ${pct}%"
	elif ((pct >= DISK_WARN)); then
		warn OrquestradorDiscoCheio "disco de $APP_DIR em ${pct}%"
	else
		ok "disco de $APP_DIR em ${pct}%"
	fi
}

run_checks() {
	STATUS=0
	PROBLEMS=()
	check_port
	check_pm2
	check_health_endpoint
	check_mysql
	check_error_log
	check_disk
}

summary() {
	local label
	case "$STATUS" in
	0) label="SAUDÁVEL" ;;
	1) label="ATENÇÃO" ;;
	*) label="CRÍTICO" ;;
	esac
	local alerts=""
	if ((${#PROBLEMS[@]} > 0)); then
		alerts=" alertas=$(printf '%s\n' "${PROBLEMS[@]}" | sort -u | paste -sd, -)"
	fi
	local line
	line="$(now) estado=$label$alerts"
	printf 'Health check: %s%s\n' "$label" "$alerts"
	if ((WRITE_LOG)) && [[ -d "$APP_DIR/logs" && -w "$APP_DIR/logs" ]]; then
		printf '%s\n' "$line" >>"$LOG_FILE"
	fi
}

notify() {
	[[ -n "$SLACK_WEBHOOK_URL" ]] || return 0
	local text="$1"
	text="${text//\\/\\\\}"
	text="${text//\"/\\\"}"
	if ((DRY_RUN)); then
		say DRY-RUN "notificação não enviada: $1"
		return 0
	fi
	curl -s -o /dev/null --max-time 10 -X POST -H 'Content-Type: application/json' \
		--data "{\"text\":\"[$(hostname)] orquestrador: $text\"}" "$SLACK_WEBHOOK_URL" ||
		say AVISO "falha ao notificar o Slack"
}

# Reinicia o processo: start pelo ecosystem se ele sumiu ou parou, restart se está online.
recover() {
	local state
	state="$(pm2 jlist 2>/dev/null | jq -r --arg n "$PROCESS" '[.[] | select(.name == $n)][0].pm2_env.status // "ausente"' 2>/dev/null || echo ausente)"
	if [[ "$state" == online ]]; then
		if ((DRY_RUN)); then
			say DRY-RUN "pm2 restart $PROCESS"
		else
			say EXEC "pm2 restart $PROCESS"
			pm2 restart "$PROCESS" >/dev/null
		fi
	else
		if ((DRY_RUN)); then
			say DRY-RUN "pm2 start $APP_DIR/ecosystem.config.cjs --only $PROCESS"
		else
			say EXEC "pm2 start ecosystem.config.cjs --only $PROCESS (estado anterior: $state)"
			(cd "$APP_DIR" && pm2 start ecosystem.config.cjs --only "$PROCESS" >/dev/null)
		fi
	fi
}

if ((CONTINUOUS == 0)); then
	run_checks
	summary
	exit "$STATUS"
fi

say INFO "modo contínuo: a cada ${INTERVAL}s; auto-recover=$AUTO_RECOVER dry-run=$DRY_RUN"
consecutive=0
last_restart=0
restarts_window=()
previous=0
while true; do
	run_checks
	summary
	if ((STATUS != previous)); then
		case "$STATUS" in
		0) notify "voltou a SAUDÁVEL" ;;
		1) notify "ATENÇÃO: $(printf '%s ' "${PROBLEMS[@]}")" ;;
		2) notify "CRÍTICO: $(printf '%s ' "${PROBLEMS[@]}")" ;;
		esac
		previous=$STATUS
	fi
	if ((STATUS == 2)); then
		consecutive=$((consecutive + 1))
	else
		consecutive=0
	fi
	if ((AUTO_RECOVER && consecutive >= FAILURES_BEFORE_RESTART)); then
		now_s=$(date +%s)
		recent=()
		for t in "${restarts_window[@]}"; do
			if ((now_s - t < 3600)); then
				recent+=("$t")
			fi
		done
		restarts_window=("${recent[@]}")
		if ((now_s - last_restart < COOLDOWN)); then
			say INFO "reinício recente (< ${COOLDOWN}s); aguardando"
		elif ((${#restarts_window[@]} >= MAX_RESTARTS_PER_HOUR)); then
			say AVISO "limite de $MAX_RESTARTS_PER_HOUR reinícios por hora atingido; escale para o operador (L2)"
			notify "limite de reinícios automáticos atingido; intervenção humana necessária (runbook-sistema-offline)"
		else
			recover
			last_restart=$now_s
			restarts_window+=("$now_s")
			notify "reinício automático executado após $consecutive verificações críticas"
			consecutive=0
		fi
	fi
	sleep "$INTERVAL"
done
