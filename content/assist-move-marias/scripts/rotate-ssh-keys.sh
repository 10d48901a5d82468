#!/usr/bin/env bash
# rotate-ssh-keys.sh — rotação da chave SSH de deploy do Assist Move Marias
# (a cada 90 dias, ou imediatamente em caso de suspeita de vazamento).
#
# A chave de deploy é a que o workflow deploy-vps.yml usa para entrar no
# servidor. Ela é identificada no authorized_keys pelo comentário
# "<prefixo>-AAAAMMDDHHMM" (padrão: deploy-assist-AAAAMMDDHHMM, UTC).
#
# Passos: gera par ed25519 novo -> instala a chave pública no servidor ->
# testa o acesso com a chave nova -> atualiza o secret do GitHub Environment e
# o AWS Secrets Manager -> remove do servidor as chaves de deploy antigas ->
# testa de novo. A chave privada só existe em um diretório temporário (700) e
# é apagada no fim.
set -euo pipefail

SCRIPT_NAME="$(basename "$0")"
HOST="deploy01.example.org"
REMOTE_USER="deploy"
ACCESS_KEY="${HOME}/.ssh/id_ed25519"
GH_REPO="assist-marias/assist-move-assist"
GH_ENV="production"
GH_SECRET="DEPLOY_SSH_KEY"
AWS_SECRET_ID="assist-move-assist/production/deploy-ssh-key"
COMMENT_PREFIX="deploy-assist"
KEEP_OLD=0
SKIP_AWS=0
DRY_RUN=0

usage() {
  cat <<USAGE
Uso: $SCRIPT_NAME [opções]

Gera uma chave SSH de deploy nova, instala no servidor, publica nos cofres e
remove as chaves de deploy antigas.

Opções:
      --host HOST           servidor (padrão: $HOST)
      --user USUÁRIO        usuário remoto da chave de deploy (padrão: $REMOTE_USER)
  -i, --access-key ARQ      chave privada que você usa hoje para entrar no servidor
                            (padrão: ~/.ssh/id_ed25519)
      --gh-repo DONO/REPO   repositório no GitHub (padrão: $GH_REPO)
      --gh-env AMBIENTE     GitHub Environment (padrão: $GH_ENV)
      --gh-secret NOME      nome do secret no Environment (padrão: $GH_SECRET)
      --aws-secret-id ID    segredo no AWS Secrets Manager (padrão: $AWS_SECRET_ID)
      --skip-aws            não atualiza o AWS Secrets Manager
      --comment-prefix P    prefixo do comentário das chaves de deploy (padrão: $COMMENT_PREFIX)
      --keep-old            não remove as chaves antigas (remova depois, rodando de novo)
      --dry-run             mostra o plano e as chaves que seriam removidas, sem alterar nada
  -h, --help                mostra esta ajuda

Requer: ssh, ssh-keygen, gh (autenticado, com permissão de admin no repositório)
e aws (com permissão de escrita no segredo), salvo --skip-aws.
Códigos de saída: 0 sucesso, 1 falha, 2 uso incorreto.
USAGE
}

log()  { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die()  { log "ERRO: $*"; exit 1; }
usage_error() { log "ERRO: $*"; usage >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --host)           [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; HOST="$2"; shift 2 ;;
    --user)           [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; REMOTE_USER="$2"; shift 2 ;;
    -i|--access-key)  [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; ACCESS_KEY="$2"; shift 2 ;;
    --gh-repo)        [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; GH_REPO="$2"; shift 2 ;;
    --gh-env)         [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; GH_ENV="$2"; shift 2 ;;
    --gh-secret)      [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; GH_SECRET="$2"; shift 2 ;;
    --aws-secret-id)  [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; AWS_SECRET_ID="$2"; shift 2 ;;
    --skip-aws)       SKIP_AWS=1; shift ;;
    --comment-prefix) [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; COMMENT_PREFIX="$2"; shift 2 ;;
    --keep-old)       KEEP_OLD=1; shift ;;
    --dry-run)        DRY_RUN=1; shift ;;
    -h|--help)        usage; exit 0 ;;
    *)                usage_error "opção desconhecida: $1" ;;
  esac
done

[[ "$COMMENT_PREFIX" =~ ^[A-Za-z0-9_-]+$ ]] || usage_error "--comment-prefix aceita só letras, números, '_' e '-'"
[[ -f "$ACCESS_KEY" ]] || usage_error "chave de acesso não encontrada: $ACCESS_KEY"
tools=(ssh ssh-keygen gh)
[[ "$SKIP_AWS" -eq 1 ]] || tools+=(aws)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || die "ferramenta ausente no PATH: $tool"
done

TARGET="$REMOTE_USER@$HOST"
NEW_COMMENT="$COMMENT_PREFIX-$(date -u +%Y%m%d%H%M)"
SSH_OPTS=(-o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=10)

# Script remoto: lista (modo list) ou remove (modo prune) as chaves de deploy
# antigas, isto é, com comentário "<prefixo>-*" diferente do comentário novo.
# Antes de remover, guarda uma cópia datada do authorized_keys.
# shellcheck disable=SC2016  # expandido no servidor, não aqui
REMOTE_SCRIPT='
set -eu
mode="$1"; prefix="$2"; keep="$3"
ak="$HOME/.ssh/authorized_keys"
[ -f "$ak" ] || { echo "authorized_keys ausente" >&2; exit 1; }
filter() { awk -v p="$prefix-" -v k="$keep" "{ c = \$NF; old = (index(c, p) == 1 && c != k) } $1" "$ak"; }
if [ "$mode" = list ]; then
  filter "old { print c }"
else
  cp -p "$ak" "$ak.bak-$(date -u +%Y%m%dT%H%M%SZ)"
  filter "!old { print }" > "$ak.new"
  grep -q -- "$keep" "$ak.new" || { rm -f "$ak.new"; echo "chave nova ausente; nada removido" >&2; exit 1; }
  chmod 600 "$ak.new"; mv "$ak.new" "$ak"
fi
'

log "acesso atual a $TARGET com $ACCESS_KEY"
ssh -i "$ACCESS_KEY" "${SSH_OPTS[@]}" "$TARGET" true || die "não foi possível entrar em $TARGET com $ACCESS_KEY"

old_keys="$(ssh -i "$ACCESS_KEY" "${SSH_OPTS[@]}" "$TARGET" sh -s -- list "$COMMENT_PREFIX" "$NEW_COMMENT" <<< "$REMOTE_SCRIPT")"
log "chaves de deploy atuais no servidor: ${old_keys//$'\n'/, }"

if [[ "$DRY_RUN" -eq 1 ]]; then
  log "[dry-run] geraria ed25519 com comentário $NEW_COMMENT"
  log "[dry-run] instalaria a chave pública em $TARGET:~/.ssh/authorized_keys e testaria o acesso"
  log "[dry-run] atualizaria o secret $GH_SECRET do Environment $GH_ENV em $GH_REPO"
  [[ "$SKIP_AWS" -eq 1 ]] || log "[dry-run] atualizaria o segredo $AWS_SECRET_ID no AWS Secrets Manager"
  if [[ "$KEEP_OLD" -eq 1 ]]; then
    log "[dry-run] --keep-old: nenhuma chave antiga seria removida"
  else
    log "[dry-run] removeria: ${old_keys:-nenhuma}"
  fi
  exit 0
fi

workdir="$(mktemp -d)"
chmod 700 "$workdir"
cleanup() {
  if [[ -f "$workdir/id_deploy" ]] && command -v shred >/dev/null 2>&1; then shred -u "$workdir/id_deploy" || true; fi
  rm -rf -- "$workdir"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -C "$NEW_COMMENT" -f "$workdir/id_deploy"
fingerprint="$(ssh-keygen -lf "$workdir/id_deploy.pub" | awk '{print $2}')"
log "chave nova gerada: $NEW_COMMENT ($fingerprint)"

ssh -i "$ACCESS_KEY" "${SSH_OPTS[@]}" "$TARGET" \
  'umask 077; mkdir -p ~/.ssh; cat >> ~/.ssh/authorized_keys' < "$workdir/id_deploy.pub" \
  || die "falha ao instalar a chave pública no servidor"
log "chave pública instalada em $TARGET"

ssh -i "$workdir/id_deploy" "${SSH_OPTS[@]}" "$TARGET" true \
  || die "a chave nova não entra no servidor; nada foi publicado nos cofres (remova a linha $NEW_COMMENT do authorized_keys)"
log "acesso com a chave nova: OK"

gh secret set "$GH_SECRET" --repo "$GH_REPO" --env "$GH_ENV" < "$workdir/id_deploy" \
  || die "falha ao atualizar o secret $GH_SECRET no GitHub; as chaves antigas continuam válidas"
log "secret $GH_SECRET atualizado no Environment $GH_ENV de $GH_REPO"

if [[ "$SKIP_AWS" -eq 0 ]]; then
  aws secretsmanager put-secret-value --secret-id "$AWS_SECRET_ID" \
    --secret-string "file://$workdir/id_deploy" >/dev/null \
    || die "falha ao atualizar $AWS_SECRET_ID; GitHub já usa a chave nova, as antigas continuam válidas"
  log "segredo $AWS_SECRET_ID atualizado no AWS Secrets Manager"
fi

if [[ "$KEEP_OLD" -eq 1 ]]; then
  log "--keep-old: chaves antigas mantidas (${old_keys:-nenhuma}); remova-as após validar um deploy"
else
  ssh -i "$workdir/id_deploy" "${SSH_OPTS[@]}" "$TARGET" sh -s -- prune "$COMMENT_PREFIX" "$NEW_COMMENT" <<< "$REMOTE_SCRIPT" \
    || die "falha ao remover as chaves antigas; confira o authorized_keys no servidor"
  log "chaves de deploy antigas removidas: ${old_keys:-nenhuma} (cópia em ~/.ssh/authorized_keys.bak-*)"
  ssh -i "$workdir/id_deploy" "${SSH_OPTS[@]}" "$TARGET" true || die "a chave nova deixou de funcionar após a limpeza; restaure o .bak"
fi

log "rotação concluída: $NEW_COMMENT ($fingerprint). Registre a data no checklist de manutenção."
