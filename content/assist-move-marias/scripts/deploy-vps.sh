#!/usr/bin/env bash
# deploy-vps.sh — publica uma tag de imagem no servidor de produção do
# Assist Move Marias (deploy01.example.org) com Docker Compose.
#
# É o passo final do workflow deploy-vps.yml (executado por SSH, depois da
# aprovação manual no ambiente "production"), mas também pode ser rodado à mão
# pela pessoa de plantão, no próprio servidor, com o mesmo efeito.
#
# Sequência: pré-checagens -> .env da aplicação a partir do AWS Secrets Manager
# -> docker compose pull -> docker compose up -d --remove-orphans -> health
# -> npm --prefix apps/backend run migrate -> npm --prefix apps/backend run smoke
# -> registro da release em releases.log.
set -euo pipefail

SCRIPT_NAME="$(basename "$0")"
APP_DIR="${ASSIST_APP_DIR:-/srv/assist}"
COMPOSE_FILE=""
SECRET_ID="${ASSIST_SECRET_ID:-assist-move-assist/production}"
BASE_URL="${ASSIST_BASE_URL:-https://assist.example.org}"
REGISTRY_IMAGE="registry.example.org/assist-move-assist/app"
TAG=""
DRY_RUN=0
SKIP_SECRETS=0
SKIP_MIGRATE=0
SKIP_SMOKE=0
AUTO_ROLLBACK=0
HEALTH_TIMEOUT=180
MIN_FREE_GB=3

usage() {
  cat <<USAGE
Uso: $SCRIPT_NAME --tag prod-AAAAMMDD-HHMM [opções]

Publica a tag indicada em produção: atualiza o app.env a partir do AWS Secrets
Manager, faz pull das imagens, sobe os contêineres, roda as migrações e o
smoke test do backend e registra o resultado em APP_DIR/releases.log.

Opções:
  -t, --tag TAG         tag a publicar (obrigatória; formato prod-AAAAMMDD-HHMM)
  -d, --app-dir DIR     pasta do deploy no servidor (padrão: \$ASSIST_APP_DIR ou /srv/assist)
  -f, --compose-file F  arquivo do Compose (padrão: APP_DIR/docker-compose.prod.yml)
      --secret-id ID    segredo do AWS Secrets Manager com as variáveis da aplicação
                        (padrão: \$ASSIST_SECRET_ID ou assist-move-assist/production)
      --base-url URL    URL pública para o health check (padrão: https://assist.example.org)
      --skip-secrets    não regenera APP_DIR/app.env
      --skip-migrate    não roda as migrações (só com aprovação do time de backend)
      --skip-smoke      não roda o smoke test (a release NÃO é marcada como estável)
      --auto-rollback   se migração, health ou smoke falhar, chama rollback.sh
      --dry-run         mostra cada passo sem executar nada que altere o servidor
  -h, --help            mostra esta ajuda

Arquivos em APP_DIR:
  .env          variáveis de interpolação do Compose (APP_TAG=<tag em produção>)
  app.env       variáveis da aplicação, geradas do Secrets Manager (modo 600)
  releases.log  histórico: <data UTC> <tag> <deployed|stable|failed|rollback>

Códigos de saída: 0 sucesso, 1 falha no deploy, 2 uso incorreto, 3 falha com rollback automático.
USAGE
}

log()  { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die()  { log "ERRO: $*"; exit 1; }
usage_error() { log "ERRO: $*"; usage >&2; exit 2; }

# Executa um comando, ou só o mostra em --dry-run.
run() {
  if [[ "$DRY_RUN" -eq 1 ]]; then
    log "[dry-run] $*"
  else
    log "executando: $*"
    "$@"
  fi
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -t|--tag)          [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; TAG="$2"; shift 2 ;;
    -d|--app-dir)      [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; APP_DIR="$2"; shift 2 ;;
    -f|--compose-file) [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; COMPOSE_FILE="$2"; shift 2 ;;
    --secret-id)       [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; SECRET_ID="$2"; shift 2 ;;
    --base-url)        [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; BASE_URL="$2"; shift 2 ;;
    --skip-secrets)    SKIP_SECRETS=1; shift ;;
    --skip-migrate)    SKIP_MIGRATE=1; shift ;;
    --skip-smoke)      SKIP_SMOKE=1; shift ;;
    --auto-rollback)   AUTO_ROLLBACK=1; shift ;;
    --dry-run)         DRY_RUN=1; shift ;;
    -h|--help)         usage; exit 0 ;;
    *)                 usage_error "opção desconhecida: $1" ;;
  esac
done

[[ -n "$TAG" ]] || usage_error "--tag é obrigatória"
[[ "$TAG" =~ ^prod-[0-9]{8}-[0-9]{4}$ ]] || usage_error "tag fora do padrão prod-AAAAMMDD-HHMM: $TAG"
COMPOSE_FILE="${COMPOSE_FILE:-$APP_DIR/docker-compose.prod.yml}"
RELEASES_LOG="$APP_DIR/releases.log"
ROLLBACK_SCRIPT="$(cd "$(dirname "$0")" && pwd)/rollback.sh"

compose() { APP_TAG="$TAG" docker compose --project-directory "$APP_DIR" -f "$COMPOSE_FILE" "$@"; }

record() {
  local status="$1"
  if [[ "$DRY_RUN" -eq 1 ]]; then
    log "[dry-run] registraria em $RELEASES_LOG: $TAG $status"
  else
    printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$TAG" "$status" >> "$RELEASES_LOG"
  fi
}

fail() {
  local reason="$1"
  log "ERRO: $reason"
  record failed
  if [[ "$AUTO_ROLLBACK" -eq 1 ]]; then
    log "--auto-rollback: voltando para a última release estável"
    if [[ "$DRY_RUN" -eq 1 ]]; then
      log "[dry-run] $ROLLBACK_SCRIPT --yes"
    elif "$ROLLBACK_SCRIPT" --app-dir "$APP_DIR" --compose-file "$COMPOSE_FILE" --yes; then
      log "rollback automático concluído; a tag $TAG continua marcada como failed"
    else
      log "ERRO: rollback automático falhou; siga o runbook de rollback manualmente"
    fi
    exit 3
  fi
  log "deploy NÃO concluído. Corrija e publique de novo, ou reverta: $ROLLBACK_SCRIPT"
  exit 1
}

# --- pré-checagens ----------------------------------------------------------
for tool in docker curl jq flock; do
  command -v "$tool" >/dev/null 2>&1 || die "ferramenta ausente no PATH: $tool"
done
[[ "$SKIP_SECRETS" -eq 1 ]] || command -v aws >/dev/null 2>&1 || die "aws CLI ausente (ou use --skip-secrets)"
[[ -d "$APP_DIR" ]] || die "pasta do deploy não existe: $APP_DIR"
[[ -f "$COMPOSE_FILE" ]] || die "arquivo do Compose não encontrado: $COMPOSE_FILE"
docker info >/dev/null 2>&1 || die "o daemon do Docker não responde"

free_gb="$(df -Pk "$APP_DIR" | awk 'NR==2 {print int($4/1024/1024)}')"
[[ "$free_gb" -ge "$MIN_FREE_GB" ]] || die "pouco espaço em disco em $APP_DIR: ${free_gb} GB livres (mínimo ${MIN_FREE_GB} GB); rode 'docker image prune' antes"

exec 9>"$APP_DIR/.deploy.lock"
flock -n 9 || die "outro deploy ou rollback está em andamento ($APP_DIR/.deploy.lock)"

previous_tag="$(sed -n 's/^APP_TAG=//p' "$APP_DIR/.env" 2>/dev/null | tail -n 1 || true)"
log "deploy de $TAG em $(hostname) (em produção agora: ${previous_tag:-nenhuma})"
[[ "$DRY_RUN" -eq 1 ]] && log "modo --dry-run: nada será alterado"

# --- variáveis da aplicação a partir do Secrets Manager ---------------------
render_app_env() {
  local tmp
  tmp="$(mktemp "$APP_DIR/.app.env.XXXXXX")"
  # O valor do segredo nunca passa pela linha de comando nem pelo log.
  if ! aws secretsmanager get-secret-value --secret-id "$SECRET_ID" \
        --query SecretString --output text \
      | jq -er 'to_entries[]
                | if (.value | tostring | test("\n")) then error("valor com quebra de linha: \(.key)") else . end
                | "\(.key)=\(.value | tostring)"' > "$tmp"; then
    rm -f -- "$tmp"
    die "não foi possível gerar app.env a partir de $SECRET_ID"
  fi
  chmod 600 "$tmp"
  mv -- "$tmp" "$APP_DIR/app.env"
  log "app.env atualizado a partir de $SECRET_ID ($(wc -l < "$APP_DIR/app.env") variáveis)"
}

if [[ "$SKIP_SECRETS" -eq 1 ]]; then
  log "--skip-secrets: mantendo $APP_DIR/app.env atual"
elif [[ "$DRY_RUN" -eq 1 ]]; then
  log "[dry-run] geraria $APP_DIR/app.env a partir do segredo $SECRET_ID"
else
  (umask 077; render_app_env)
fi

# --- imagens e contêineres --------------------------------------------------
run docker manifest inspect "$REGISTRY_IMAGE:$TAG" >/dev/null \
  || die "imagem $REGISTRY_IMAGE:$TAG não encontrada no registry (docker login feito?)"
run compose pull || die "docker compose pull falhou; nada foi trocado"
record deployed
run compose up -d --remove-orphans || fail "docker compose up falhou"

if [[ "$DRY_RUN" -eq 0 ]]; then
  tmp_env="$(mktemp "$APP_DIR/.env.XXXXXX")"
  { grep -v '^APP_TAG=' "$APP_DIR/.env" 2>/dev/null || true; printf 'APP_TAG=%s\n' "$TAG"; } > "$tmp_env"
  mv -- "$tmp_env" "$APP_DIR/.env"
  log "APP_TAG=$TAG gravado em $APP_DIR/.env"
fi

wait_health() {
  local deadline=$(( $(date +%s) + HEALTH_TIMEOUT ))
  while (( $(date +%s) < deadline )); do
    if curl -fsS --max-time 5 -o /dev/null "$BASE_URL/health"; then
      log "health OK em $BASE_URL/health"
      return 0
    fi
    sleep 5
  done
  return 1
}
if [[ "$DRY_RUN" -eq 1 ]]; then
  log "[dry-run] aguardaria $BASE_URL/health responder 200 (até ${HEALTH_TIMEOUT}s)"
else
  wait_health || fail "$BASE_URL/health não respondeu 200 em ${HEALTH_TIMEOUT}s"
fi

# --- migrações e smoke test -------------------------------------------------
if [[ "$SKIP_MIGRATE" -eq 1 ]]; then
  log "AVISO: --skip-migrate: migrações não executadas"
else
  run compose exec -T backend npm --prefix apps/backend run migrate || fail "migrações falharam"
fi

if [[ "$SKIP_SMOKE" -eq 1 ]]; then
  log "AVISO: --skip-smoke: a release fica como 'deployed', não 'stable'"
  log "deploy de $TAG concluído SEM smoke test; rode o smoke manual antes de encerrar"
  exit 0
fi
run compose exec -T -e SMOKE_BASE_URL="$BASE_URL" backend npm --prefix apps/backend run smoke \
  || fail "smoke test do backend falhou"

record stable
log "deploy de $TAG concluído e marcado como estável (anterior: ${previous_tag:-nenhuma})"
