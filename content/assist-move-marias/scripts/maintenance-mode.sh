#!/usr/bin/env bash
# maintenance-mode.sh — liga, desliga ou consulta a feature flag MAINTENANCE_MODE
# do Assist Move Marias, guardada no AWS Secrets Manager junto com as demais
# variáveis da aplicação.
#
# Com a flag ligada, o backend responde 503 com a página de manutenção para as
# rotas de usuária e mantém /health e /api/status no ar. A flag é lida na
# inicialização, por isso o script regenera APP_DIR/app.env e recria os
# contêineres backend e frontend (a menos que use --no-apply).
set -euo pipefail

SCRIPT_NAME="$(basename "$0")"
APP_DIR="${ASSIST_APP_DIR:-/srv/assist}"
COMPOSE_FILE=""
SECRET_ID="${ASSIST_SECRET_ID:-assist-move-assist/production}"
FLAG="MAINTENANCE_MODE"
APPLY=1
DRY_RUN=0
ACTION=""

usage() {
  cat <<USAGE
Uso: $SCRIPT_NAME on|off|status [opções]

  on       grava $FLAG=true no segredo e aplica nos contêineres
  off      grava $FLAG=false no segredo e aplica nos contêineres
  status   mostra o valor no segredo e o valor em uso pelo backend

Opções:
      --secret-id ID    segredo no AWS Secrets Manager (padrão: \$ASSIST_SECRET_ID
                        ou assist-move-assist/production)
  -d, --app-dir DIR     pasta do deploy (padrão: \$ASSIST_APP_DIR ou /srv/assist)
  -f, --compose-file F  arquivo do Compose (padrão: APP_DIR/docker-compose.prod.yml)
      --no-apply        só altera o segredo; não recria contêineres
      --dry-run         mostra o que seria feito, sem alterar nada
  -h, --help            mostra esta ajuda

Códigos de saída: 0 sucesso, 1 falha, 2 uso incorreto.
USAGE
}

log()  { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die()  { log "ERRO: $*"; exit 1; }
usage_error() { log "ERRO: $*"; usage >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    on|off|status)     [[ -z "$ACTION" ]] || usage_error "ação repetida: $1"; ACTION="$1"; shift ;;
    --secret-id)       [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; SECRET_ID="$2"; shift 2 ;;
    -d|--app-dir)      [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; APP_DIR="$2"; shift 2 ;;
    -f|--compose-file) [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; COMPOSE_FILE="$2"; shift 2 ;;
    --no-apply)        APPLY=0; shift ;;
    --dry-run)         DRY_RUN=1; shift ;;
    -h|--help)         usage; exit 0 ;;
    *)                 usage_error "argumento desconhecido: $1" ;;
  esac
done
[[ -n "$ACTION" ]] || usage_error "informe on, off ou status"
COMPOSE_FILE="${COMPOSE_FILE:-$APP_DIR/docker-compose.prod.yml}"

for tool in aws jq docker; do
  command -v "$tool" >/dev/null 2>&1 || die "ferramenta ausente no PATH: $tool"
done

workdir="$(mktemp -d)"
chmod 700 "$workdir"
trap 'rm -rf -- "$workdir"' EXIT

compose() { docker compose --project-directory "$APP_DIR" -f "$COMPOSE_FILE" "$@"; }

# O conteúdo do segredo fica só em arquivos temporários com modo 600.
aws secretsmanager get-secret-value --secret-id "$SECRET_ID" \
  --query SecretString --output text > "$workdir/secret.json" \
  || die "não foi possível ler o segredo $SECRET_ID"
jq -e 'type == "object"' "$workdir/secret.json" >/dev/null || die "o segredo $SECRET_ID não é um objeto JSON"
current="$(jq -r --arg f "$FLAG" '.[$f] // "false" | tostring' "$workdir/secret.json")"

if [[ "$ACTION" == "status" ]]; then
  log "$FLAG no segredo $SECRET_ID: $current"
  running="$(compose exec -T backend printenv "$FLAG" 2>/dev/null || echo '(não definido ou backend parado)')"
  log "$FLAG em uso pelo backend: $running"
  exit 0
fi

desired="false"
[[ "$ACTION" == "on" ]] && desired="true"

if [[ "$current" == "$desired" ]]; then
  log "$FLAG já é $desired no segredo; nada a gravar"
else
  jq --arg f "$FLAG" --arg v "$desired" '.[$f] = $v' "$workdir/secret.json" > "$workdir/new.json"
  if [[ "$DRY_RUN" -eq 1 ]]; then
    log "[dry-run] gravaria $FLAG=$desired em $SECRET_ID (hoje: $current)"
  else
    aws secretsmanager put-secret-value --secret-id "$SECRET_ID" \
      --secret-string "file://$workdir/new.json" >/dev/null \
      || die "falha ao gravar $SECRET_ID"
    log "$FLAG=$desired gravado em $SECRET_ID (era: $current)"
  fi
fi

if [[ "$APPLY" -eq 0 ]]; then
  log "--no-apply: contêineres não foram recriados; o valor vale no próximo deploy"
  exit 0
fi

if [[ "$DRY_RUN" -eq 1 ]]; then
  log "[dry-run] regeneraria $APP_DIR/app.env e recriaria backend e frontend"
  exit 0
fi

source_json="$workdir/secret.json"
[[ -f "$workdir/new.json" ]] && source_json="$workdir/new.json"
jq -er 'to_entries[]
        | if (.value | tostring | test("\n")) then error("valor com quebra de linha: \(.key)") else . end
        | "\(.key)=\(.value | tostring)"' "$source_json" > "$workdir/app.env" \
  || die "não foi possível gerar app.env"
install -m 600 "$workdir/app.env" "$APP_DIR/app.env"
log "app.env regenerado"

compose up -d --no-deps --force-recreate backend frontend || die "falha ao recriar backend/frontend"
for _ in $(seq 1 30); do
  if running="$(compose exec -T backend printenv "$FLAG" 2>/dev/null)"; then break; fi
  sleep 2
done
[[ "${running:-}" == "$desired" ]] || die "o backend não está com $FLAG=$desired (valor lido: ${running:-nenhum})"
log "backend em execução com $FLAG=$desired"
