#!/usr/bin/env bash
# operational_reports.sh — relatórios operacionais do Agente WhatsApp em Markdown.
#
#   daily      reports/daily_report_YYYY-MM-DD.md   (saúde, sistema, Docker, logs,
#              performance, negócio, alertas, recomendações)
#   weekly     reports/weekly_report_YYYY-WNN.md    (dia a dia da semana ISO e
#              comparação com a semana anterior)
#   emergency  reports/emergency_report_ID.md       (diagnóstico crítico e ações imediatas)
#
# Os logs devem ter uma linha por evento começando pelo carimbo ISO 8601
# (2026-11-20T09:00:00 ou 2026-11-20 09:00:00). performance.log traz duration_ms;
# business_metrics/AAAA-MM-DD.jsonl traz um evento por linha com o campo "event".
# Arquivos rotacionados (app.log.1, app.log.2.gz) também são lidos.
set -euo pipefail

readonly SCRIPT_NAME="${0##*/}"
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR

APP_DIR="${WA_APP_DIR:-/opt/whats-agent}"
HEALTH_URL="${WA_HEALTH_URL:-http://127.0.0.1:8000/health}"
OUTPUT_DIR=""
DRY_RUN=0
REPORT_DATE=""
REPORT_WEEK=""
INCIDENT_ID=""
SINCE_MIN=60

usage() {
	cat <<EOF
Uso: $SCRIPT_NAME daily|weekly|emergency [opções]

Relatórios:
  daily                       relatório do dia (padrão: hoje)
  weekly                      relatório da semana ISO (padrão: semana atual)
  emergency --incident-id ID  relatório de emergência para anexar ao incidente

Opções:
  --date AAAA-MM-DD    dia do relatório diário
  --week AAAA-WNN      semana do relatório semanal (ex.: 2026-W47)
  --incident-id ID     identificador do incidente (letras, números, . _ -), ex.: INC-001
  --since MIN          janela de logs do relatório de emergência em minutos (padrão: $SINCE_MIN)
  --app-dir DIR        diretório da aplicação (padrão: \$WA_APP_DIR ou /opt/whats-agent)
  --output-dir DIR     onde gravar (padrão: DIR_DA_APLICAÇÃO/reports)
  --dry-run            imprime o relatório na saída padrão e não grava arquivo
  -h, --help           mostra esta ajuda

Ambiente: WA_APP_DIR, WA_HEALTH_URL.
EOF
}

die_usage() {
	printf '%s: %s\n' "$SCRIPT_NAME" "$1" >&2
	printf 'Use %s --help para ver as opções.\n' "$SCRIPT_NAME" >&2
	exit 64
}

log() { printf '%s [%s] %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$1" "$2" >&2; }

[[ $# -ge 1 ]] || {
	usage >&2
	exit 64
}
case "$1" in
-h | --help)
	usage
	exit 0
	;;
daily | weekly | emergency) REPORT="$1" ;;
*) die_usage "tipo de relatório desconhecido: $1" ;;
esac
shift

while [[ $# -gt 0 ]]; do
	case "$1" in
	--date)
		if [[ ! "${2:-}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || ! date -d "$2" >/dev/null 2>&1; then
			die_usage "--date exige uma data AAAA-MM-DD válida"
		fi
		REPORT_DATE="$2"
		shift 2
		;;
	--week)
		[[ "${2:-}" =~ ^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$ ]] || die_usage "--week exige AAAA-WNN (ex.: 2026-W47)"
		REPORT_WEEK="$2"
		shift 2
		;;
	--incident-id)
		[[ "${2:-}" =~ ^[A-Za-z0-9._-]+$ ]] || die_usage "--incident-id exige um identificador (ex.: INC-001)"
		INCIDENT_ID="$2"
		shift 2
		;;
	--since)
		[[ "${2:-}" =~ ^[0-9]+$ ]] || die_usage "--since exige minutos (número inteiro)"
		SINCE_MIN="$2"
		shift 2
		;;
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
	--dry-run)
		DRY_RUN=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) die_usage "opção desconhecida: $1" ;;
	esac
done

[[ -d "$APP_DIR" ]] || die_usage "diretório da aplicação não existe: $APP_DIR"
[[ "$REPORT" != emergency || -n "$INCIDENT_ID" ]] || die_usage "o relatório de emergência exige --incident-id"
[[ -z "$REPORT_DATE" || "$REPORT" == daily ]] || die_usage "--date só vale para o relatório daily"
[[ -z "$REPORT_WEEK" || "$REPORT" == weekly ]] || die_usage "--week só vale para o relatório weekly"
LOG_DIR="$APP_DIR/logs"
OUTPUT_DIR="${OUTPUT_DIR:-$APP_DIR/reports}"

have() { command -v "$1" >/dev/null 2>&1; }
docker_ok() { have docker && docker info >/dev/null 2>&1; }
compose() { docker compose --project-directory "$APP_DIR" "$@"; }

# Todas as linhas de um log (inclusive rotacionados) de um dia.
log_day() {
	local name="$1" day="$2" f
	for f in "$LOG_DIR/$name" "$LOG_DIR/$name".*; do
		[[ -f "$f" ]] && zcat -f -- "$f"
	done 2>/dev/null | grep -F -- "$day" || true
}

count_level() { grep -cwE "$1" || true; }

# Estatísticas de duration_ms lidas da entrada: "n média p50 p95 p99 máx" (ms).
latency_stats() {
	grep -oE 'duration_ms"?[:=] ?[0-9]+(\.[0-9]+)?' | grep -oE '[0-9]+(\.[0-9]+)?$' | sort -n |
		awk 'function rank(p,   i) { i = int(NR * p); if (i < NR * p) i++; return i < 1 ? 1 : i }
		{ v[NR] = $1; s += $1 }
		END {
			if (NR == 0) { print "0 0 0 0 0 0"; exit }
			printf "%d %.0f %.0f %.0f %.0f %.0f\n", NR, s / NR, v[rank(0.50)], v[rank(0.95)], v[rank(0.99)], v[NR]
		}'
}

business_file() { printf '%s/business_metrics/%s.jsonl' "$LOG_DIR" "$1"; }

count_event() {
	local file
	file="$(business_file "$1")"
	[[ -f "$file" ]] || {
		echo 0
		return
	}
	grep -cE "\"event\": ?\"$2\"" "$file" || true
}

cpu_busy_pct() {
	local a b
	read -r -a a < <(grep '^cpu ' /proc/stat)
	sleep 1
	read -r -a b < <(grep '^cpu ' /proc/stat)
	awk -v u1="${a[1]}" -v n1="${a[2]}" -v s1="${a[3]}" -v i1="${a[4]}" -v w1="${a[5]}" \
		-v u2="${b[1]}" -v n2="${b[2]}" -v s2="${b[3]}" -v i2="${b[4]}" -v w2="${b[5]}" \
		'BEGIN { busy = (u2 + n2 + s2) - (u1 + n1 + s1); total = busy + (i2 + w2) - (i1 + w1)
		         printf "%d", (total > 0 ? busy * 100 / total : 0) }'
}

health_line() {
	local code
	code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$HEALTH_URL" || true)"
	if [[ "$code" == 200 ]]; then
		echo "SAUDÁVEL (HTTP 200 em $HEALTH_URL)"
	else
		echo "FALHA (HTTP ${code:-000} em $HEALTH_URL)"
	fi
}

RECOMMENDATIONS=()
recommend() { RECOMMENDATIONS+=("$1"); }

section_health() {
	echo "## Saúde do sistema"
	echo
	echo "- Health check: $(health_line)"
	if docker_ok; then
		echo "- Contêineres:"
		echo
		echo '```text'
		compose ps --format 'table {{.Service}}\t{{.State}}\t{{.Status}}' 2>&1 || true
		echo '```'
	else
		echo "- Docker: indisponível neste host"
		recommend "Docker não respondeu durante o relatório: verificar o daemon (runbook-sistema-fora-do-ar.md)."
	fi
	echo
}

section_system() {
	local cpu mem disk load
	cpu="$(cpu_busy_pct)"
	mem="$(free | awk '/^Mem:/ { printf "%d", ($3 / $2) * 100 }')"
	disk="$(df -P "$APP_DIR" | awk 'NR == 2 { gsub("%", "", $5); print $5 }')"
	load="$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "## Métricas do sistema"
	echo
	echo "| Recurso | Valor | Limite de atenção |"
	echo "|---|---|---|"
	echo "| CPU (amostra de 1 s) | ${cpu}% | 80% |"
	echo "| Memória em uso | ${mem}% | 85% |"
	echo "| Disco ($APP_DIR) | ${disk}% | 80% |"
	echo "| Load average (1/5/15 min) | $load | $(nproc) CPUs |"
	echo
	((cpu < 80)) || recommend "CPU em ${cpu}%: investigar com runbook-performance-degradada.md."
	((mem < 85)) || recommend "Memória em ${mem}%: ver consumo por contêiner (docker stats) e runbook-performance-degradada.md."
	((disk < 80)) || recommend "Disco em ${disk}%: limpar logs e imagens (guia-problemas-comuns-p2.md#logs-excessivos)."
}

section_docker() {
	echo "## Métricas do Docker"
	echo
	if ! docker_ok; then
		echo "Docker indisponível."
		echo
		return
	fi
	echo '```text'
	docker stats --no-stream --format 'table {{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.NetIO}}' 2>&1 || true
	echo '```'
	echo
	local id name restarts
	echo "| Contêiner | Reinícios |"
	echo "|---|---|"
	for id in $(compose ps -q 2>/dev/null); do
		name="$(docker inspect -f '{{.Name}}' "$id" | sed 's#^/##')"
		restarts="$(docker inspect -f '{{.RestartCount}}' "$id")"
		echo "| $name | $restarts |"
		((restarts < 3)) || recommend "Contêiner $name reiniciou $restarts vezes: ver logs (docker compose logs) e runbook-taxa-de-erros-elevada.md."
	done
	echo
}

section_logs() {
	local day="$1" lines errors warnings criticals
	lines="$(log_day app.log "$day" | wc -l)"
	warnings="$(log_day app.log "$day" | count_level 'WARNING|WARN')"
	errors="$(log_day errors.log "$day" | count_level 'ERROR')"
	criticals="$(log_day errors.log "$day" | count_level 'CRITICAL')"
	echo "## Análise de logs da aplicação"
	echo
	echo "| Indicador | $day |"
	echo "|---|---|"
	echo "| Linhas em app.log | $lines |"
	echo "| WARNING em app.log | $warnings |"
	echo "| ERROR em errors.log | $errors |"
	echo "| CRITICAL em errors.log | $criticals |"
	echo
	if ((errors + criticals > 0)); then
		echo "Erros mais frequentes (números e ids normalizados):"
		echo
		echo '```text'
		log_day errors.log "$day" | grep -wE 'ERROR|CRITICAL' |
			sed -E 's/^[0-9T:., +-]+//; s/[0-9a-f]{8,}/<id>/g; s/[0-9]+/N/g' |
			sort | uniq -c | sort -rn | head -n 10
		echo '```'
		echo
	fi
	((criticals == 0)) || recommend "$criticals eventos CRITICAL em $day: abrir incidente e seguir runbook-taxa-de-erros-elevada.md."
	((errors < 100)) || recommend "$errors erros em $day (acima de 100): analisar causa raiz (guia-analise-de-logs.md)."
}

section_performance() {
	local day="$1" n avg p50 p95 p99 max
	read -r n avg p50 p95 p99 max < <(log_day performance.log "$day" | latency_stats)
	echo "## Métricas de performance"
	echo
	if ((n == 0)); then
		echo "Sem amostras de duration_ms em performance.log para $day."
		echo
		return
	fi
	echo "| Amostras | Média | p50 | p95 | p99 | Máx. |"
	echo "|---|---|---|---|---|---|"
	echo "| $n | $avg ms | $p50 ms | $p95 ms | $p99 ms | $max ms |"
	echo
	((p95 <= 2000)) || recommend "p95 de ${p95} ms em $day (limite 2000 ms): runbook-performance-degradada.md."
}

section_business() {
	local day="$1" file
	file="$(business_file "$day")"
	echo "## Métricas de negócio"
	echo
	if [[ ! -f "$file" ]]; then
		echo "Sem arquivo de métricas de negócio para $day ($file)."
		echo
		recommend "Métricas de negócio ausentes para $day: conferir se a aplicação está gravando em logs/business_metrics/."
		return
	fi
	echo "| Evento | Quantidade |"
	echo "|---|---|"
	grep -oE '"event": ?"[A-Za-z0-9_.-]+"' "$file" | sed -E 's/.*"([^"]+)"$/\1/' |
		sort | uniq -c | sort -rn | awk '{ printf "| %s | %d |\n", $2, $1 }'
	echo
	local received sent failed
	received="$(count_event "$day" message_received)"
	sent="$(count_event "$day" message_sent)"
	failed="$(count_event "$day" message_failed)"
	if ((sent + failed > 0)) && ((failed * 100 > (sent + failed) * 5)); then
		recommend "Falha de envio acima de 5% em $day ($failed de $((sent + failed))): runbook-webhook-falhando.md."
	fi
	if ((received == 0)); then
		recommend "Nenhuma mensagem recebida em $day: confirmar o webhook (runbook-webhook-falhando.md)."
	fi
}

section_alerts() {
	local day="$1" sec_events
	sec_events="$(log_day security.log "$day")"
	echo "## Análise de alertas"
	echo
	echo "| Fonte | WARNING | ERROR/CRITICAL |"
	echo "|---|---|---|"
	echo "| app.log | $(log_day app.log "$day" | count_level 'WARNING|WARN') | $(log_day app.log "$day" | count_level 'ERROR|CRITICAL') |"
	echo "| security.log | $(printf '%s\n' "$sec_events" | count_level 'WARNING|WARN') | $(printf '%s\n' "$sec_events" | count_level 'ERROR|CRITICAL') |"
	echo
	local recoveries
	recoveries="$(log_day recovery.log "$day" | grep -c 'nível [1-4] (' || true)"
	echo "- Execuções de recuperação automática registradas em recovery.log: $recoveries"
	echo
	((recoveries == 0)) || recommend "Houve $recoveries recuperações automáticas em $day: registrar a causa no relatório e revisar (guia-niveis-de-recuperacao.md)."
	if printf '%s\n' "$sec_events" | grep -qiE 'invalid signature|unauthorized|brute'; then
		recommend "Eventos de segurança suspeitos em $day: avaliar com runbook-alerta-de-seguranca.md."
	fi
}

section_recommendations() {
	echo "## Recomendações"
	echo
	if ((${#RECOMMENDATIONS[@]} == 0)); then
		echo "- Nenhuma ação necessária: indicadores dentro dos limites."
	else
		printf '%s\n' "${RECOMMENDATIONS[@]}" | awk '!seen[$0]++ { print "- " $0 }'
	fi
	echo
}

daily_report() {
	local day="${REPORT_DATE:-$(date +%F)}"
	echo "# Relatório diário do Agente WhatsApp — $day"
	echo
	echo "Gerado em $(date '+%Y-%m-%d %H:%M %Z') em $(hostname) por $SCRIPT_NAME."
	echo
	section_health
	section_system
	section_docker
	section_logs "$day"
	section_performance "$day"
	section_business "$day"
	section_alerts "$day"
	section_recommendations
}

# Segunda-feira da semana ISO AAAA-WNN.
iso_monday() {
	local year="${1%-W*}" week="${1#*-W}" jan4_dow
	week=$((10#$week))
	jan4_dow="$(date -d "$year-01-04" +%u)"
	date -d "$year-01-04 -$((jan4_dow - 1)) days +$(((week - 1) * 7)) days" +%F
}

# Uma linha de totais de um dia: recebidas enviadas falhas erros p95
day_totals() {
	local day="$1" p95
	read -r _ _ _ p95 _ _ < <(log_day performance.log "$day" | latency_stats)
	printf '%s %s %s %s %s\n' \
		"$(count_event "$day" message_received)" "$(count_event "$day" message_sent)" \
		"$(count_event "$day" message_failed)" \
		"$(log_day errors.log "$day" | count_level 'ERROR|CRITICAL')" "$p95"
}

trend() {
	local now="$1" before="$2"
	if ((before == 0)); then
		echo "n/d"
	else
		awk -v a="$now" -v b="$before" 'BEGIN { printf "%+.0f%%", (a - b) * 100 / b }'
	fi
}

weekly_report() {
	local week="${REPORT_WEEK:-$(date +%G-W%V)}" monday day i
	local r s f e p t_r=0 t_s=0 t_f=0 t_e=0 p_r=0 p_s=0 p_f=0 p_e=0 worst_p95=0
	monday="$(iso_monday "$week")"
	echo "# Relatório semanal do Agente WhatsApp — $week"
	echo
	echo "Semana de $monday a $(date -d "$monday +6 days" +%F). Gerado em $(date '+%Y-%m-%d %H:%M %Z') em $(hostname)."
	echo
	echo "## Dia a dia"
	echo
	echo "| Dia | Recebidas | Enviadas | Falhas de envio | Erros | p95 (ms) |"
	echo "|---|---|---|---|---|---|"
	for i in 0 1 2 3 4 5 6; do
		day="$(date -d "$monday +$i days" +%F)"
		read -r r s f e p < <(day_totals "$day")
		echo "| $day | $r | $s | $f | $e | $p |"
		t_r=$((t_r + r)) t_s=$((t_s + s)) t_f=$((t_f + f)) t_e=$((t_e + e))
		((p <= worst_p95)) || worst_p95=$p
	done
	for i in 1 2 3 4 5 6 7; do
		day="$(date -d "$monday -$i days" +%F)"
		read -r r s f e p < <(day_totals "$day")
		p_r=$((p_r + r)) p_s=$((p_s + s)) p_f=$((p_f + f)) p_e=$((p_e + e))
	done
	echo
	echo "## Tendência em relação à semana anterior"
	echo
	echo "| Indicador | Esta semana | Semana anterior | Variação |"
	echo "|---|---|---|---|"
	echo "| Mensagens recebidas | $t_r | $p_r | $(trend "$t_r" "$p_r") |"
	echo "| Mensagens enviadas | $t_s | $p_s | $(trend "$t_s" "$p_s") |"
	echo "| Falhas de envio | $t_f | $p_f | $(trend "$t_f" "$p_f") |"
	echo "| Erros (ERROR/CRITICAL) | $t_e | $p_e | $(trend "$t_e" "$p_e") |"
	echo
	echo "- Pior p95 diário da semana: ${worst_p95} ms"
	echo
	((worst_p95 <= 2000)) || recommend "p95 diário passou de 2000 ms na semana: agendar análise (guia-analise-de-performance.md)."
	if ((p_e > 0 && t_e * 10 > p_e * 15)); then
		recommend "Erros cresceram mais de 50% em relação à semana anterior: revisar mudanças e deploys da semana."
	fi
	if ((t_r > 0 && t_f * 100 > (t_s + t_f) * 5)); then
		recommend "Falhas de envio acima de 5% na semana: revisar a integração com a API da Meta."
	fi
	section_health
	section_system
	section_recommendations
}

emergency_report() {
	local cutoff f
	cutoff="$(date -d "-$SINCE_MIN minutes" '+%Y-%m-%dT%H:%M:%S')"
	echo "# Relatório de emergência — $INCIDENT_ID"
	echo
	echo "- Gerado em: $(date '+%Y-%m-%d %H:%M:%S %Z')"
	echo "- Host: $(hostname)"
	echo "- Janela analisada: últimos $SINCE_MIN minutos (desde $cutoff)"
	echo
	section_health
	echo "## Erros críticos recentes"
	echo
	echo '```text'
	# Compara o carimbo do começo da linha com o limite (formato ISO ordena como texto).
	for f in errors.log security.log; do
		[[ -f "$LOG_DIR/$f" ]] || continue
		echo "--- $f"
		awk -v c="$cutoff" '{ ts = substr($0, 1, 19); sub(" ", "T", ts); if (ts >= c) print }' \
			"$LOG_DIR/$f" | tail -n 60
	done
	echo '```'
	echo
	echo "## Diagnóstico automático"
	echo
	if [[ -x "$SCRIPT_DIR/emergency_diagnosis.sh" ]]; then
		echo '```text'
		"$SCRIPT_DIR/emergency_diagnosis.sh" --app-dir "$APP_DIR" --dry-run 2>&1 || true
		echo '```'
	else
		echo "emergency_diagnosis.sh não encontrado ao lado deste script."
	fi
	echo
	echo "## Mudanças recentes"
	echo
	echo '```text'
	if [[ -d "$APP_DIR/.git" ]]; then
		git -C "$APP_DIR" log -5 --format='%h %ci %an %s' 2>&1 || true
	else
		echo "sem repositório git em $APP_DIR"
	fi
	if [[ -f "$LOG_DIR/recovery.log" ]]; then
		echo "--- recovery.log (últimas 20 linhas)"
		tail -n 20 "$LOG_DIR/recovery.log"
	fi
	echo '```'
	echo
	section_system
	echo "## Ações imediatas sugeridas"
	echo
	if [[ "$(health_line)" == FALHA* ]]; then
		recommend "Aplicação sem saúde: runbook-sistema-fora-do-ar.md (recuperação nível 1 primeiro)."
	fi
	if ((${#RECOMMENDATIONS[@]} == 0)); then
		echo "- Indicadores de host e saúde normais: concentrar a investigação no sintoma relatado."
	else
		printf '%s\n' "${RECOMMENDATIONS[@]}" | awk '!seen[$0]++ { print "- " $0 }'
	fi
	echo
	echo "## Linha do tempo"
	echo
	echo "| Horário | Evento | Quem |"
	echo "|---|---|---|"
	echo "| $(date '+%H:%M') | Relatório de emergência gerado | $SCRIPT_NAME |"
}

case "$REPORT" in
daily) OUT_NAME="daily_report_${REPORT_DATE:-$(date +%F)}.md" ;;
weekly) OUT_NAME="weekly_report_${REPORT_WEEK:-$(date +%G-W%V)}.md" ;;
emergency) OUT_NAME="emergency_report_${INCIDENT_ID}.md" ;;
esac

log INFO "gerando relatório $REPORT"
if ((DRY_RUN)); then
	"${REPORT}_report"
	log INFO "--dry-run: relatório impresso, nenhum arquivo gravado"
	exit 0
fi

mkdir -p "$OUTPUT_DIR"
TMP_OUT="$(mktemp "$OUTPUT_DIR/.${OUT_NAME}.XXXXXX")"
trap 'rm -f -- "$TMP_OUT"' EXIT
"${REPORT}_report" >"$TMP_OUT"
chmod 640 "$TMP_OUT"
mv -f -- "$TMP_OUT" "$OUTPUT_DIR/$OUT_NAME"
trap - EXIT
log OK "relatório gravado: $OUTPUT_DIR/$OUT_NAME"
