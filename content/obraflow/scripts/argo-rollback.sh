#!/usr/bin/env bash
# argo-rollback.sh — reverte uma Application do Argo CD (ObraFlow) para uma
# entrada anterior do histórico de deploy (status.history).
#
# O Argo CD recusa rollback com auto-sync ligado; por isso o script desliga o
# auto-sync antes e imprime, no fim, o comando exato para religá-lo depois do
# fix-forward.
set -euo pipefail

PROG="argo-rollback.sh"
TIMEOUT=600
DRY_RUN=0
ASSUME_YES=0
APP=""
TARGET_ID=""
APP_NS_ARGS=()

usage() {
  cat <<'USAGE'
Uso: argo-rollback.sh [opções] <app> [history-id]

Reverte a Application <app> do Argo CD para <history-id>. Sem <history-id>,
usa a entrada imediatamente anterior à atual em status.history.

Opções:
  -n, --dry-run            mostra o histórico e o plano, sem alterar nada
  -y, --yes                não pede confirmação interativa
  -t, --timeout SEG        espera máxima pela app saudável (padrão: 600)
  -N, --app-namespace NS   namespace da Application (apps-in-any-namespace)
  -h, --help               mostra esta ajuda

Autenticação: use "argocd login" antes, ou exporte ARGOCD_SERVER e
ARGOCD_AUTH_TOKEN (lidas pelo próprio argocd CLI). Nunca passe token na linha
de comando.

Exemplos:
  argo-rollback.sh --dry-run work-mgmt-prd
  argo-rollback.sh work-mgmt-prd 41

Saída: 0 sucesso (ou nada a fazer); 1 falha no rollback ou app não saudável;
       2 uso incorreto ou pré-requisito ausente.
USAGE
}

log()  { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PROG" "$*" >&2; }
die()  { log "ERRO: $1"; exit "${2:-1}"; }

run() {
  if [[ $DRY_RUN -eq 1 ]]; then
    log "(dry-run) executaria: $*"
  else
    log "executando: $*"
    "$@"
  fi
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    -n|--dry-run) DRY_RUN=1; shift ;;
    -y|--yes) ASSUME_YES=1; shift ;;
    -t|--timeout)
      [[ $# -ge 2 ]] || die "--timeout exige um valor em segundos" 2
      TIMEOUT="$2"; shift 2 ;;
    -N|--app-namespace)
      [[ $# -ge 2 ]] || die "--app-namespace exige um namespace" 2
      APP_NS_ARGS=(--app-namespace "$2"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    -*) usage >&2; die "opção desconhecida: $1" 2 ;;
    *)
      if [[ -z $APP ]]; then APP="$1"
      elif [[ -z $TARGET_ID ]]; then TARGET_ID="$1"
      else usage >&2; die "argumento a mais: $1" 2
      fi
      shift ;;
  esac
done
if [[ $# -gt 0 && -z $APP ]]; then APP="$1"; shift; fi
if [[ $# -gt 0 && -z $TARGET_ID ]]; then TARGET_ID="$1"; shift; fi

[[ -n $APP ]] || { usage >&2; die "informe o nome da Application" 2; }
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout deve ser um inteiro (segundos): $TIMEOUT" 2
if [[ -n $TARGET_ID && ! $TARGET_ID =~ ^[0-9]+$ ]]; then
  die "history-id deve ser numérico (veja a coluna ID de 'argocd app history $APP'): $TARGET_ID" 2
fi

for bin in argocd jq; do
  command -v "$bin" >/dev/null 2>&1 || die "comando '$bin' não encontrado no PATH" 2
done

log "lendo a Application '$APP' no Argo CD"
if ! APP_JSON="$(argocd app get "$APP" "${APP_NS_ARGS[@]}" -o json)"; then
  die "não foi possível ler a app '$APP' (sessão expirada? rode 'argocd login' ou confira ARGOCD_SERVER)" 2
fi

HISTORY_LEN="$(jq '.status.history // [] | length' <<<"$APP_JSON")"
[[ $HISTORY_LEN -ge 1 ]] || die "a app '$APP' não tem histórico de deploy; nada para reverter" 1

log "histórico de deploy (mais recente por último):"
jq -r '.status.history // [] | .[]
       | "  id=\(.id)  em=\(.deployedAt // "?")  revisão=\(.revision // ((.revisions // []) | join(",")))"' \
   <<<"$APP_JSON" >&2

CURRENT_ID="$(jq -r '.status.history | last | .id' <<<"$APP_JSON")"
if [[ -z $TARGET_ID ]]; then
  [[ $HISTORY_LEN -ge 2 ]] || die "só existe uma entrada no histórico; informe o history-id manualmente" 1
  TARGET_ID="$(jq -r '.status.history | .[-2] | .id' <<<"$APP_JSON")"
  log "nenhum history-id informado; usando a entrada anterior: $TARGET_ID"
fi

if ! jq -e --argjson id "$TARGET_ID" '.status.history | any(.id == $id)' <<<"$APP_JSON" >/dev/null; then
  die "history-id $TARGET_ID não existe no histórico da app '$APP'" 2
fi
if [[ $TARGET_ID == "$CURRENT_ID" ]]; then
  log "history-id $TARGET_ID já é o deploy atual; nada a fazer"
  exit 0
fi

TARGET_REV="$(jq -r --argjson id "$TARGET_ID" \
  '.status.history[] | select(.id == $id) | (.revision // ((.revisions // []) | join(",")))' <<<"$APP_JSON")"
AUTOSYNC="$(jq -r 'if .spec.syncPolicy.automated then "on" else "off" end' <<<"$APP_JSON")"
SELF_HEAL="$(jq -r '.spec.syncPolicy.automated.selfHeal // false' <<<"$APP_JSON")"
AUTO_PRUNE="$(jq -r '.spec.syncPolicy.automated.prune // false' <<<"$APP_JSON")"

REENABLE="argocd app set $APP"
[[ ${#APP_NS_ARGS[@]} -gt 0 ]] && REENABLE+=" ${APP_NS_ARGS[*]}"
REENABLE+=" --sync-policy automated"
[[ $SELF_HEAL == "true" ]] && REENABLE+=" --self-heal"
[[ $AUTO_PRUNE == "true" ]] && REENABLE+=" --auto-prune"

log "plano: app=$APP atual=$CURRENT_ID alvo=$TARGET_ID (revisão $TARGET_REV) auto-sync=$AUTOSYNC timeout=${TIMEOUT}s"

if [[ $DRY_RUN -eq 0 && $ASSUME_YES -eq 0 ]]; then
  if [[ -t 0 ]]; then
    read -r -p "Confirmar rollback de '$APP' para o history-id $TARGET_ID? [s/N] " answer || answer=""
    [[ $answer == [sS] ]] || die "cancelado pelo operador" 1
  else
    die "sem terminal interativo: use --yes para confirmar" 2
  fi
fi

if [[ $AUTOSYNC == "on" ]]; then
  log "desligando auto-sync (o Argo CD não aceita rollback com auto-sync ligado)"
  run argocd app set "$APP" "${APP_NS_ARGS[@]}" --sync-policy none
fi

run argocd app rollback "$APP" "$TARGET_ID" "${APP_NS_ARGS[@]}" --timeout "$TIMEOUT"

log "aguardando a app ficar Healthy (até ${TIMEOUT}s)"
if ! run argocd app wait "$APP" "${APP_NS_ARGS[@]}" --health --timeout "$TIMEOUT"; then
  die "a app '$APP' não ficou saudável após o rollback; escale para o IC e para o SME do serviço" 1
fi

if [[ $DRY_RUN -eq 1 ]]; then
  log "dry-run concluído; nenhuma alteração feita"
else
  log "rollback concluído: '$APP' está no history-id $TARGET_ID (revisão $TARGET_REV)"
fi
if [[ $AUTOSYNC == "on" ]]; then
  log "ATENÇÃO: o auto-sync ficou DESLIGADO. Depois do fix-forward (ou do revert no Git), religue com:"
  log "  $REENABLE"
fi
