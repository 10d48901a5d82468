#!/usr/bin/env bash
# auto_recovery.sh — recuperação escalonada do Agente WhatsApp (docker compose).
#
# Níveis:
#   1 suave       reinicia só o contêiner da aplicação
#   2 médio       reinicia todos os serviços do compose
#   3 completo    down + limpeza de órfãos e imagens soltas + up (volumes NUNCA são removidos)
#   4 emergência  restaura o banco a partir do último backup (pede confirmação)
#
# Depois de cada nível valida a saúde e observa a estabilidade por um tempo;
# notifica o Slack quando SLACK_WEBHOOK_URL está definido.
#
# Saída: 0 saudável/recuperado, 1 recuperação falhou, 64 uso incorreto.
set -euo pipefail

readonly SCRIPT_NAME="${0##*/}"

APP_DIR="${WA_APP_DIR:-/opt/whats-agent}"
HEALTH_URL="${WA_HEALTH_URL:-http://127.0.0.1:8000/health}"
APP_SERVICE="${WA_APP_SERVICE:-app}"
DB_SERVICE="${WA_DB_SERVICE:-db}"
BACKUP_DIR="${WA_BACKUP_DIR:-}"
SLACK_WEBHOOK_URL="${SLACK_WEBHOOK_URL:-}"

DRY_RUN=0
ASSUME_YES=0
ALLOW_RESTORE=0
BACKUP_FILE=""
INTERVAL=30
FAILURES=3
HEALTH_TIMEOUT=120
STABILIZE=120
COOLDOWN=900

usage() {
	cat <<EOF
Uso: $SCRIPT_NAME COMANDO [opções]

Comandos:
  status     verifica a saúde uma vez (saída 0 saudável, 1 com falha)
  auto       escala nível 1 -> 2 -> 3 até a saúde voltar
             (nível 4 só com --allow-restore)
  monitor    verifica a cada --interval s; após --failures falhas seguidas roda "auto"
  level1     recuperação suave: reinicia o serviço "$APP_SERVICE"
  level2     recuperação média: reinicia todos os serviços
  level3     recuperação completa: down --remove-orphans, limpeza, up -d
  level4     emergência: restaura o banco do último backup (ou --backup ARQUIVO)

Opções:
  --app-dir DIR       diretório do compose (padrão: \$WA_APP_DIR ou /opt/whats-agent)
  --dry-run           mostra o que seria feito, sem reiniciar nem restaurar nada
  --yes               não pede confirmação no nível 4
  --allow-restore     permite que "auto"/"monitor" cheguem ao nível 4
  --backup ARQUIVO    dump (pg_dump -Fc) a restaurar no nível 4
  --interval N        segundos entre verificações no modo monitor (padrão: $INTERVAL)
  --failures N        falhas seguidas que disparam a recuperação (padrão: $FAILURES)
  --health-timeout N  segundos de espera pela saúde após cada nível (padrão: $HEALTH_TIMEOUT)
  --stabilize N       segundos de observação pós-recuperação (padrão: $STABILIZE)
  -h, --help          mostra esta ajuda

Ambiente: WA_APP_DIR, WA_HEALTH_URL, WA_APP_SERVICE, WA_DB_SERVICE,
WA_BACKUP_DIR (padrão: \$WA_APP_DIR/backups/db), SLACK_WEBHOOK_URL (opcional).
EOF
}

die_usage() {
	printf '%s: %s\n' "$SCRIPT_NAME" "$1" >&2
	printf 'Use %s --help para ver as opções.\n' "$SCRIPT_NAME" >&2
	exit 64
}

need_number() {
	[[ "${2:-}" =~ ^[0-9]+$ ]] || die_usage "$1 exige um número inteiro"
}

[[ $# -ge 1 ]] || {
	usage >&2
	exit 64
}
case "$1" in
-h | --help)
	usage
	exit 0
	;;
status | auto | monitor | level1 | level2 | level3 | level4) COMMAND="$1" ;;
*) die_usage "comando desconhecido: $1" ;;
esac
shift

while [[ $# -gt 0 ]]; do
	case "$1" in
	--app-dir)
		[[ $# -ge 2 ]] || die_usage "--app-dir exige um diretório"
		APP_DIR="$2"
		shift 2
		;;
	--dry-run)
		DRY_RUN=1
		shift
		;;
	--yes)
		ASSUME_YES=1
		shift
		;;
	--allow-restore)
		ALLOW_RESTORE=1
		shift
		;;
	--backup)
		[[ $# -ge 2 ]] || die_usage "--backup exige um arquivo"
		BACKUP_FILE="$2"
		shift 2
		;;
	--interval)
		need_number "$1" "${2:-}"
		INTERVAL="$2"
		shift 2
		;;
	--failures)
		need_number "$1" "${2:-}"
		FAILURES="$2"
		shift 2
		;;
	--health-timeout)
		need_number "$1" "${2:-}"
		HEALTH_TIMEOUT="$2"
		shift 2
		;;
	--stabilize)
		need_number "$1" "${2:-}"
		STABILIZE="$2"
		shift 2
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) die_usage "opção desconhecida: $1" ;;
	esac
done

[[ -d "$APP_DIR" ]] || die_usage "diretório da aplicação não existe: $APP_DIR"
BACKUP_DIR="${BACKUP_DIR:-$APP_DIR/backups/db}"
LOG_FILE="$APP_DIR/logs/recovery.log"

log() {
	local line
	line="$(printf '%s [%s] %s' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$1" "$2")"
	printf '%s\n' "$line"
	((DRY_RUN)) && return 0
	if [[ -w "$LOG_FILE" || (! -e "$LOG_FILE" && -w "${LOG_FILE%/*}") ]]; then
		printf '%s\n' "$line" >>"$LOG_FILE"
	fi
}

# Executa um comando, ou só o descreve em --dry-run.
run() {
	local shown="$*"
	shown="${shown/#compose /docker compose }"
	if ((DRY_RUN)); then
		log DRY-RUN "$shown"
		return 0
	fi
	log EXEC "$shown"
	"$@"
}

compose() { docker compose --project-directory "$APP_DIR" "$@"; }

json_escape() {
	local s="$1"
	s="${s//\\/\\\\}"
	s="${s//\"/\\\"}"
	s="${s//$'\n'/\\n}"
	printf '%s' "$s"
}

notify() {
	local level="$1" text="$2" icon
	case "$level" in
	ok) icon=":white_check_mark:" ;;
	warn) icon=":warning:" ;;
	*) icon=":rotating_light:" ;;
	esac
	log NOTIFY "$text"
	[[ -n "$SLACK_WEBHOOK_URL" ]] || return 0
	if ((DRY_RUN)); then
		log DRY-RUN "notificação Slack não enviada"
		return 0
	fi
	curl -s -o /dev/null --max-time 10 -X POST -H 'Content-Type: application/json' \
		--data "{\"text\":\"$icon [$(hostname)] whats-agent: $(json_escape "$text")\"}" \
		"$SLACK_WEBHOOK_URL" || log AVISO "falha ao notificar o Slack"
}

healthy() {
	local code
	code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$HEALTH_URL" || true)"
	[[ "$code" == 200 ]]
}

wait_healthy() {
	local deadline=$((SECONDS + HEALTH_TIMEOUT))
	if ((DRY_RUN)); then
		log DRY-RUN "esperaria até ${HEALTH_TIMEOUT}s por HTTP 200 em $HEALTH_URL"
		return 0
	fi
	while ((SECONDS < deadline)); do
		if healthy; then
			log OK "health check respondeu HTTP 200"
			return 0
		fi
		sleep 5
	done
	log FALHA "sem HTTP 200 em $HEALTH_URL após ${HEALTH_TIMEOUT}s"
	return 1
}

# Observa a aplicação por STABILIZE segundos; uma falha isolada é tolerada, duas não.
stable() {
	local deadline=$((SECONDS + STABILIZE)) misses=0
	if ((DRY_RUN)); then
		log DRY-RUN "observaria a estabilidade por ${STABILIZE}s"
		return 0
	fi
	log INFO "observando a estabilidade por ${STABILIZE}s"
	while ((SECONDS < deadline)); do
		if ! healthy; then
			misses=$((misses + 1))
			log AVISO "health check falhou durante a observação ($misses)"
			((misses < 2)) || return 1
		fi
		sleep 10
	done
	log OK "aplicação estável por ${STABILIZE}s"
}

level1() {
	log INFO "nível 1 (suave): reiniciando $APP_SERVICE"
	run compose restart "$APP_SERVICE"
}

level2() {
	log INFO "nível 2 (médio): reiniciando todos os serviços"
	run compose restart
}

level3() {
	log INFO "nível 3 (completo): down, limpeza e up"
	# Sem -v: os volumes guardam o banco e o cache; removê-los seria perda de dados.
	run compose down --remove-orphans
	run docker image prune -f
	run compose up -d
}

db_wait_ready() {
	local i
	for i in $(seq 1 30); do
		# shellcheck disable=SC2016
		if compose exec -T "$DB_SERVICE" sh -c 'pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB"' >/dev/null 2>&1; then
			return 0
		fi
		log INFO "aguardando o PostgreSQL ($i/30)"
		sleep 2
	done
	return 1
}

latest_backup() {
	find "$BACKUP_DIR" -maxdepth 1 -type f -name 'whats_agent_*.dump' -printf '%T@ %p\n' 2>/dev/null |
		sort -rn | head -n1 | cut -d' ' -f2-
}

level4() {
	local file="$BACKUP_FILE" answer safety
	log INFO "nível 4 (emergência): restauração do banco a partir de backup"
	[[ -n "$file" ]] || file="$(latest_backup)"
	if [[ -z "$file" || ! -s "$file" ]]; then
		log FALHA "nenhum backup utilizável (procurado em $BACKUP_DIR/whats_agent_*.dump)"
		return 1
	fi
	log INFO "backup escolhido: $file ($(du -h "$file" | cut -f1), $(date -r "$file" '+%Y-%m-%d %H:%M'))"
	if ((!DRY_RUN && !ASSUME_YES)); then
		if [[ ! -t 0 ]]; then
			log FALHA "nível 4 sem terminal exige --yes"
			return 1
		fi
		printf 'Isto SUBSTITUI o banco atual pelo backup acima. Digite RESTAURAR para continuar: '
		read -r answer
		[[ "$answer" == RESTAURAR ]] || {
			log INFO "restauração cancelada pelo operador"
			return 1
		}
	fi

	run compose up -d "$DB_SERVICE"
	if ((!DRY_RUN)) && ! db_wait_ready; then
		log FALHA "PostgreSQL não ficou pronto; restauração abortada"
		return 1
	fi
	if ((!DRY_RUN)); then
		compose exec -T "$DB_SERVICE" pg_restore --list <"$file" >/dev/null ||
			{
				log FALHA "o arquivo não é um dump válido de pg_dump -Fc: $file"
				return 1
			}
	fi

	safety="$BACKUP_DIR/pre_restore_$(date +%Y%m%d_%H%M%S).dump"
	log INFO "cópia de segurança do estado atual: $safety"
	if ((DRY_RUN)); then
		log DRY-RUN "pg_dump -Fc do banco atual > $safety"
	else
		# shellcheck disable=SC2016
		compose exec -T "$DB_SERVICE" sh -c 'pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Fc' >"$safety" ||
			log AVISO "não foi possível copiar o estado atual (banco corrompido?); seguindo com a restauração"
	fi

	run compose stop "$APP_SERVICE"
	if ((DRY_RUN)); then
		log DRY-RUN "pg_restore --clean --if-exists --no-owner < $file"
	else
		log EXEC "pg_restore --clean --if-exists --no-owner < $file"
		# shellcheck disable=SC2016
		compose exec -T "$DB_SERVICE" sh -c \
			'pg_restore -U "$POSTGRES_USER" -d "$POSTGRES_DB" --clean --if-exists --no-owner --exit-on-error' <"$file" || {
			log FALHA "pg_restore falhou; a cópia do estado anterior está em $safety"
			return 1
		}
	fi
	run compose up -d
}

run_level() {
	case "$1" in
	1) level1 ;;
	2) level2 ;;
	3) level3 ;;
	4) level4 ;;
	esac
}

# Roda um nível e valida; 0 se a aplicação voltou e ficou estável.
attempt() {
	local n="$1"
	if ! run_level "$n"; then
		notify warn "recuperação nível $n não pôde ser executada"
		return 1
	fi
	if ((DRY_RUN)); then
		wait_healthy
		stable
		log DRY-RUN "simulação do nível $n concluída"
		return 0
	fi
	if wait_healthy && stable; then
		notify ok "recuperado no nível $n"
		return 0
	fi
	notify warn "nível $n não restabeleceu a aplicação"
	return 1
}

auto_recover() {
	local max=3 n
	if ((ALLOW_RESTORE)); then
		max=4
	fi
	if ((DRY_RUN)); then
		log DRY-RUN "plano de recuperação: níveis 1 a $max, cada um seguido de validação"
		for n in $(seq 1 "$max"); do
			run_level "$n" || true
		done
		return 0
	fi
	if healthy; then
		log OK "aplicação saudável; nada a recuperar"
		return 0
	fi
	notify warn "aplicação sem saúde; iniciando recuperação automática (até o nível $max)"
	for n in $(seq 1 "$max"); do
		if attempt "$n"; then
			return 0
		fi
	done
	notify crit "recuperação automática esgotada (níveis 1-$max); acionar o plantão (runbook-sistema-fora-do-ar.md)"
	return 1
}

monitor() {
	local misses=0 last_run=-"$COOLDOWN"
	log INFO "monitor: a cada ${INTERVAL}s, recuperação após $FAILURES falhas seguidas"
	while true; do
		if healthy; then
			((misses == 0)) || log OK "saúde restabelecida após $misses falha(s)"
			misses=0
		else
			misses=$((misses + 1))
			log AVISO "health check falhou ($misses/$FAILURES)"
			if ((misses >= FAILURES)); then
				if ((SECONDS - last_run < COOLDOWN)); then
					log AVISO "última recuperação há menos de ${COOLDOWN}s; aguardando intervenção humana"
				else
					last_run=$SECONDS
					auto_recover || true
					misses=0
				fi
			fi
		fi
		sleep "$INTERVAL"
	done
}

# Um só processo de recuperação por vez (o monitor e um operador não podem disputar).
if command -v flock >/dev/null 2>&1 && ((!DRY_RUN)); then
	exec 9>"$APP_DIR/.auto_recovery.lock"
	flock -n 9 || {
		log FALHA "outra execução de $SCRIPT_NAME está em andamento"
		exit 1
	}
fi

if ((DRY_RUN)); then
	log INFO "modo --dry-run: nada será alterado"
fi
case "$COMMAND" in
status)
	if healthy; then
		log OK "saudável ($HEALTH_URL respondeu HTTP 200)"
		exit 0
	fi
	log FALHA "sem saúde ($HEALTH_URL não respondeu HTTP 200)"
	exit 1
	;;
auto) auto_recover ;;
monitor) monitor ;;
level[1-4])
	attempt "${COMMAND#level}"
	;;
esac
