#!/usr/bin/env bash
# rollback.sh — volta a produção do Assist Move Marias para uma imagem estável
# anterior (registry.example.org/assist-move-assist/app:<tag>).
#
# Sem --tag, escolhe a última tag marcada como "stable" em APP_DIR/releases.log
# que seja diferente da tag em produção. NÃO desfaz migrações de banco: se a
# release com problema trouxe migração incompatível, chame o backend on-call.
set -euo pipefail

SCRIPT_NAME="$(basename "$0")"
APP_DIR="${ASSIST_APP_DIR:-/srv/assist}"
COMPOSE_FILE=""
BASE_URL="${ASSIST_BASE_URL:-https://assist.example.org}"
REGISTRY_IMAGE="registry.example.org/assist-move-assist/app"
TARGET_TAG=""
DRY_RUN=0
ASSUME_YES=0
SKIP_SMOKE=0
LIST_ONLY=0
HEALTH_TIMEOUT=180

usage() {
  cat <<USAGE
Uso: $SCRIPT_NAME [opções]

Reverte os contêineres para uma tag estável anterior: pull da imagem,
docker compose up -d --remove-orphans, health check e smoke test do backend.

Opções:
  -t, --tag TAG         tag de destino (padrão: última 'stable' do releases.log
                        diferente da atual)
      --list            mostra as últimas releases registradas e sai
  -d, --app-dir DIR     pasta do deploy (padrão: \$ASSIST_APP_DIR ou /srv/assist)
  -f, --compose-file F  arquivo do Compose (padrão: APP_DIR/docker-compose.prod.yml)
      --base-url URL    URL pública do health check (padrão: https://assist.example.org)
      --skip-smoke      não roda o smoke test depois de reverter
  -y, --yes             não pede confirmação
      --dry-run         mostra o que seria feito, sem alterar nada
  -h, --help            mostra esta ajuda

Códigos de saída: 0 sucesso, 1 falha, 2 uso incorreto.
USAGE
}

log()  { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die()  { log "ERRO: $*"; exit 1; }
usage_error() { log "ERRO: $*"; usage >&2; exit 2; }
run() {
  if [[ "$DRY_RUN" -eq 1 ]]; then log "[dry-run] $*"; else log "executando: $*"; "$@"; fi
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -t|--tag)          [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; TARGET_TAG="$2"; shift 2 ;;
    --list)            LIST_ONLY=1; shift ;;
    -d|--app-dir)      [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; APP_DIR="$2"; shift 2 ;;
    -f|--compose-file) [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; COMPOSE_FILE="$2"; shift 2 ;;
    --base-url)        [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; BASE_URL="$2"; shift 2 ;;
    --skip-smoke)      SKIP_SMOKE=1; shift ;;
    -y|--yes)          ASSUME_YES=1; shift ;;
    --dry-run)         DRY_RUN=1; shift ;;
    -h|--help)         usage; exit 0 ;;
    *)                 usage_error "opção desconhecida: $1" ;;
  esac
done

COMPOSE_FILE="${COMPOSE_FILE:-$APP_DIR/docker-compose.prod.yml}"
RELEASES_LOG="$APP_DIR/releases.log"
[[ -f "$RELEASES_LOG" ]] || die "histórico não encontrado: $RELEASES_LOG"

if [[ "$LIST_ONLY" -eq 1 ]]; then
  log "últimas 15 entradas de $RELEASES_LOG (mais recente por último):"
  tail -n 15 "$RELEASES_LOG"
  exit 0
fi

for tool in docker curl flock; do
  command -v "$tool" >/dev/null 2>&1 || die "ferramenta ausente no PATH: $tool"
done
[[ -f "$COMPOSE_FILE" ]] || die "arquivo do Compose não encontrado: $COMPOSE_FILE"

current_tag="$(sed -n 's/^APP_TAG=//p' "$APP_DIR/.env" 2>/dev/null | tail -n 1 || true)"

if [[ -z "$TARGET_TAG" ]]; then
  # Última tag cuja situação mais recente é 'stable' (uma tag marcada 'failed'
  # depois de ter sido estável não é candidata).
  TARGET_TAG="$(awk -v cur="$current_tag" '
    { status[$2] = $3; if ($3 == "stable") at[$2] = NR }
    END {
      best = ""; bestAt = 0
      for (t in at) if (status[t] == "stable" && t != cur && at[t] > bestAt) { best = t; bestAt = at[t] }
      print best
    }' "$RELEASES_LOG")"
  [[ -n "$TARGET_TAG" ]] || die "nenhuma release 'stable' diferente de '${current_tag:-?}' em $RELEASES_LOG; use --tag"
fi
[[ "$TARGET_TAG" =~ ^prod-[0-9]{8}-[0-9]{4}$ ]] || usage_error "tag fora do padrão prod-AAAAMMDD-HHMM: $TARGET_TAG"
[[ "$TARGET_TAG" != "$current_tag" ]] || die "a tag $TARGET_TAG já é a que está em produção"
if ! awk -v t="$TARGET_TAG" '$2 == t && $3 == "stable" {found = 1} END {exit !found}' "$RELEASES_LOG"; then
  log "AVISO: $TARGET_TAG não consta como 'stable' em $RELEASES_LOG"
fi

log "rollback: ${current_tag:-desconhecida} -> $TARGET_TAG"
log "lembrete: este script NÃO desfaz migrações de banco"

if [[ "$ASSUME_YES" -eq 0 && "$DRY_RUN" -eq 0 ]]; then
  [[ -t 0 ]] || die "sem terminal para confirmar; use --yes"
  read -r -p "Digite a tag de destino ($TARGET_TAG) para confirmar: " answer
  [[ "$answer" == "$TARGET_TAG" ]] || die "confirmação não confere; nada foi alterado"
fi

exec 9>"$APP_DIR/.deploy.lock"
flock -w 30 9 || die "outro deploy ou rollback está em andamento ($APP_DIR/.deploy.lock)"

compose() { APP_TAG="$TARGET_TAG" docker compose --project-directory "$APP_DIR" -f "$COMPOSE_FILE" "$@"; }

run docker manifest inspect "$REGISTRY_IMAGE:$TARGET_TAG" >/dev/null \
  || die "imagem $REGISTRY_IMAGE:$TARGET_TAG não encontrada no registry"
run compose pull || die "pull de $TARGET_TAG falhou; produção não foi alterada"
run compose up -d --remove-orphans || die "docker compose up falhou durante o rollback; acione @devops-oncall"

if [[ "$DRY_RUN" -eq 1 ]]; then
  log "[dry-run] gravaria APP_TAG=$TARGET_TAG em $APP_DIR/.env e registraria o rollback em $RELEASES_LOG"
  log "[dry-run] aguardaria $BASE_URL/health e rodaria o smoke test do backend"
  exit 0
fi

tmp_env="$(mktemp "$APP_DIR/.env.XXXXXX")"
{ grep -v '^APP_TAG=' "$APP_DIR/.env" 2>/dev/null || true; printf 'APP_TAG=%s\n' "$TARGET_TAG"; } > "$tmp_env"
mv -- "$tmp_env" "$APP_DIR/.env"
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
{
  [[ -n "$current_tag" ]] && printf '%s %s failed\n' "$now" "$current_tag"
  printf '%s %s rollback\n' "$now" "$TARGET_TAG"
} >> "$RELEASES_LOG"

deadline=$(( $(date +%s) + HEALTH_TIMEOUT ))
until curl -fsS --max-time 5 -o /dev/null "$BASE_URL/health"; do
  (( $(date +%s) < deadline )) || die "$BASE_URL/health não respondeu 200 em ${HEALTH_TIMEOUT}s após o rollback; acione @devops-oncall"
  sleep 5
done
log "health OK em $BASE_URL/health"

if [[ "$SKIP_SMOKE" -eq 1 ]]; then
  log "AVISO: --skip-smoke: rode o smoke test manual antes de encerrar o incidente"
else
  compose exec -T -e SMOKE_BASE_URL="$BASE_URL" backend npm --prefix apps/backend run smoke \
    || die "smoke test falhou também em $TARGET_TAG; acione @backend-oncall e @devops-oncall"
  printf '%s %s stable\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$TARGET_TAG" >> "$RELEASES_LOG"
fi
log "rollback concluído: produção em $TARGET_TAG"
