#!/usr/bin/env bash
# emergency-restart.sh — reinício controlado dos contêineres de produção do
# Assist Move Marias, para o runbook de indisponibilidade total.
#
# 1. guarda evidências (estado, logs recentes, disco, memória) para o postmortem;
# 2. reinicia os serviços na ordem das dependências, esperando cada um ficar
#    saudável antes do próximo: [postgres, redis] -> backend -> frontend -> nginx;
# 3. confere o health público.
# Por padrão só a camada de aplicação (backend, frontend, nginx) é reiniciada;
# banco e Redis só entram com --include-data.
set -euo pipefail

SCRIPT_NAME="$(basename "$0")"
APP_DIR="${ASSIST_APP_DIR:-/srv/assist}"
COMPOSE_FILE=""
BASE_URL="${ASSIST_BASE_URL:-https://assist.example.org}"
EVIDENCE_ROOT="${ASSIST_EVIDENCE_DIR:-/srv/assist/incidents}"
APP_SERVICES=(backend frontend nginx)
DATA_SERVICES=(postgres redis)
INCLUDE_DATA=0
RESTART_DOCKER=0
COLLECT=1
DRY_RUN=0
SERVICE_TIMEOUT=120
LOG_WINDOW="30m"

usage() {
  cat <<USAGE
Uso: $SCRIPT_NAME [opções]

Reinicia os contêineres de produção em ordem controlada e confere a saúde de
cada serviço. Antes de reiniciar, salva evidências em EVIDENCE_DIR/<data>/.

Opções:
      --include-data     reinicia também postgres e redis (antes da aplicação)
      --restart-docker   reinicia o daemon do Docker (systemctl) antes de tudo;
                         use só se 'docker ps' não responder
      --services "a b"   reinicia só estes serviços, na ordem dada
      --no-collect       não salva evidências (mais rápido; evite)
  -d, --app-dir DIR      pasta do deploy (padrão: \$ASSIST_APP_DIR ou /srv/assist)
  -f, --compose-file F   arquivo do Compose (padrão: APP_DIR/docker-compose.prod.yml)
      --base-url URL     URL pública do health (padrão: https://assist.example.org)
      --timeout SEG      espera máxima por serviço (padrão: 120)
      --dry-run          mostra o plano sem reiniciar nada
  -h, --help             mostra esta ajuda

Códigos de saída: 0 tudo saudável, 1 algum serviço não voltou, 2 uso incorreto.
USAGE
}

log()  { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die()  { log "ERRO: $*"; exit 1; }
usage_error() { log "ERRO: $*"; usage >&2; exit 2; }

custom_services=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --include-data)   INCLUDE_DATA=1; shift ;;
    --restart-docker) RESTART_DOCKER=1; shift ;;
    --services)       [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; custom_services="$2"; shift 2 ;;
    --no-collect)     COLLECT=0; shift ;;
    -d|--app-dir)     [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; APP_DIR="$2"; shift 2 ;;
    -f|--compose-file) [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; COMPOSE_FILE="$2"; shift 2 ;;
    --base-url)       [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; BASE_URL="$2"; shift 2 ;;
    --timeout)        [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; SERVICE_TIMEOUT="$2"; shift 2 ;;
    --dry-run)        DRY_RUN=1; shift ;;
    -h|--help)        usage; exit 0 ;;
    *)                usage_error "opção desconhecida: $1" ;;
  esac
done

[[ "$SERVICE_TIMEOUT" =~ ^[0-9]+$ && "$SERVICE_TIMEOUT" -gt 0 ]] || usage_error "--timeout deve ser um inteiro positivo"
COMPOSE_FILE="${COMPOSE_FILE:-$APP_DIR/docker-compose.prod.yml}"
[[ -f "$COMPOSE_FILE" ]] || die "arquivo do Compose não encontrado: $COMPOSE_FILE"

if [[ -n "$custom_services" ]]; then
  read -r -a order <<< "$custom_services"
elif [[ "$INCLUDE_DATA" -eq 1 ]]; then
  order=("${DATA_SERVICES[@]}" "${APP_SERVICES[@]}")
else
  order=("${APP_SERVICES[@]}")
fi
for svc in "${order[@]}"; do
  [[ "$svc" =~ ^[a-z0-9][a-z0-9_-]*$ ]] || usage_error "nome de serviço inválido: $svc"
done

compose() { docker compose --project-directory "$APP_DIR" -f "$COMPOSE_FILE" "$@"; }

plan="${order[*]}"
if [[ "$RESTART_DOCKER" -eq 1 ]]; then plan="daemon do Docker -> $plan"; fi
log "plano: $plan -> health $BASE_URL/health"
if [[ "$DRY_RUN" -eq 1 ]]; then
  if [[ "$COLLECT" -eq 1 ]]; then log "[dry-run] salvaria evidências em $EVIDENCE_ROOT/<data>/"; fi
  for svc in "${order[@]}"; do log "[dry-run] docker compose restart $svc e aguardaria até ${SERVICE_TIMEOUT}s"; done
  exit 0
fi

# --- 0. daemon do Docker ----------------------------------------------------
if [[ "$RESTART_DOCKER" -eq 1 ]]; then
  log "reiniciando o daemon do Docker (todos os contêineres param e sobem pela política de restart)"
  systemctl restart docker
  for _ in $(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 2; done
fi
docker info >/dev/null 2>&1 || die "o daemon do Docker não responde; tente --restart-docker ou o console do provedor"

# --- 1. evidências ----------------------------------------------------------
if [[ "$COLLECT" -eq 1 ]]; then
  evidence_dir="$EVIDENCE_ROOT/$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$evidence_dir"
  chmod 700 "$evidence_dir"
  log "salvando evidências em $evidence_dir"
  compose ps -a > "$evidence_dir/compose-ps.txt" 2>&1 || true
  docker stats --no-stream > "$evidence_dir/docker-stats.txt" 2>&1 || true
  df -h > "$evidence_dir/df.txt" 2>&1 || true
  free -m > "$evidence_dir/free.txt" 2>&1 || true
  (dmesg -T 2>/dev/null | tail -n 200) > "$evidence_dir/dmesg-tail.txt" || true
  for svc in "${DATA_SERVICES[@]}" "${APP_SERVICES[@]}"; do
    compose logs --no-color --since "$LOG_WINDOW" "$svc" > "$evidence_dir/logs-$svc.txt" 2>&1 || true
  done
  log "evidências salvas ($(du -sh "$evidence_dir" | cut -f1))"
fi

# --- 2. reinício em ordem ---------------------------------------------------
service_state() {
  local cid
  cid="$(compose ps -q "$1" 2>/dev/null | head -n 1)"
  [[ -n "$cid" ]] || { echo "ausente"; return 0; }
  docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$cid"
}

wait_service() {
  local svc="$1" state deadline=$(( $(date +%s) + SERVICE_TIMEOUT ))
  while (( $(date +%s) < deadline )); do
    state="$(service_state "$svc")"
    case "$state" in
      healthy|running) log "$svc: $state"; return 0 ;;
      *) sleep 3 ;;
    esac
  done
  log "ERRO: $svc não ficou saudável em ${SERVICE_TIMEOUT}s (estado: $(service_state "$svc"))"
  compose logs --no-color --tail 40 "$svc" >&2 || true
  return 1
}

failed=()
for svc in "${order[@]}"; do
  log "reiniciando $svc"
  if [[ "$(service_state "$svc")" == "ausente" ]]; then
    compose up -d --no-deps "$svc" || true
  else
    compose restart "$svc" || true
  fi
  if ! wait_service "$svc"; then
    failed+=("$svc")
    if [[ " ${DATA_SERVICES[*]} " == *" $svc "* ]]; then
      die "$svc (camada de dados) não voltou; a aplicação não será reiniciada. Acione @devops-oncall"
    fi
  fi
done

# --- 3. health público ------------------------------------------------------
health_ok=0
for _ in $(seq 1 24); do
  if curl -fsS --max-time 5 -o /dev/null "$BASE_URL/health"; then health_ok=1; break; fi
  sleep 5
done

if [[ "${#failed[@]}" -gt 0 || "$health_ok" -eq 0 ]]; then
  log "ERRO: reinício incompleto. Serviços com falha: ${failed[*]:-nenhum}; health público: $([[ $health_ok -eq 1 ]] && echo ok || echo FALHOU)"
  exit 1
fi
log "reinício concluído: todos os serviços saudáveis e $BASE_URL/health respondendo 200"
