#!/usr/bin/env bash
# canary-freeze.sh — congela um canário do ObraFlow: manda 100% do tráfego
# para o subset estável e 0% para o canário.
#
# Dois modos:
#   * VirtualService do Istio (padrão): aplica um JSON Patch nos pesos da rota,
#     guardando antes uma cópia do VirtualService para restauração.
#   * Argo Rollouts (--rollout NOME): aborta o Rollout; o controlador devolve o
#     peso ao estável. Use este modo sempre que o VirtualService for gerido por
#     um Rollout, senão o controlador reescreve os pesos em segundos.
set -euo pipefail

PROG="canary-freeze.sh"
NAMESPACE="obraflow-app"
VS_NAME="work-mgmt"
ROUTE_INDEX=0
STABLE_SUBSET="stable"
CANARY_SUBSET="canary"
ROLLOUT=""
RESTORE_FILE=""
CONTEXT_ARGS=()
DRY_RUN=0
BACKUP_DIR="${CANARY_FREEZE_BACKUP_DIR:-/var/tmp/obraflow-canary-freeze}"

usage() {
  cat <<'USAGE'
Uso: canary-freeze.sh [opções]

Zera o peso do canário (estável=100, canário=0) na rota HTTP de um
VirtualService do Istio, ou aborta um Rollout do Argo Rollouts.

Opções:
  -n, --namespace NS        namespace (padrão: obraflow-app)
      --vs NOME             VirtualService (padrão: work-mgmt)
      --route N             índice da regra em spec.http (padrão: 0)
      --stable-subset NOME  subset estável (padrão: stable)
      --canary-subset NOME  subset canário (padrão: canary)
      --rollout NOME        aborta o Rollout NOME (Argo Rollouts) em vez de
                            alterar o VirtualService
      --restore ARQUIVO     restaura os pesos da rota a partir de uma cópia
                            gerada por uma execução anterior
      --context CTX         contexto do kubeconfig (padrão: o atual)
      --dry-run             valida no servidor (kubectl --dry-run=server) e
                            mostra o patch, sem alterar nada
  -h, --help                mostra esta ajuda

Variáveis: CANARY_FREEZE_BACKUP_DIR (padrão /var/tmp/obraflow-canary-freeze)

Exemplos:
  canary-freeze.sh --dry-run
  canary-freeze.sh --vs work-mgmt --namespace obraflow-app
  canary-freeze.sh --rollout work-mgmt
  canary-freeze.sh --restore /var/tmp/obraflow-canary-freeze/work-mgmt-20261120T031500Z.json

Saída: 0 sucesso ou nada a fazer; 1 falha; 2 uso incorreto ou pré-requisito ausente.
USAGE
}

log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PROG" "$*" >&2; }
die() { log "ERRO: $1"; exit "${2:-1}"; }

need_value() { [[ $2 -ge 2 ]] || die "$1 exige um valor" 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -n|--namespace) need_value "$1" $#; NAMESPACE="$2"; shift 2 ;;
    --vs) need_value "$1" $#; VS_NAME="$2"; shift 2 ;;
    --route) need_value "$1" $#; ROUTE_INDEX="$2"; shift 2 ;;
    --stable-subset) need_value "$1" $#; STABLE_SUBSET="$2"; shift 2 ;;
    --canary-subset) need_value "$1" $#; CANARY_SUBSET="$2"; shift 2 ;;
    --rollout) need_value "$1" $#; ROLLOUT="$2"; shift 2 ;;
    --restore) need_value "$1" $#; RESTORE_FILE="$2"; shift 2 ;;
    --context) need_value "$1" $#; CONTEXT_ARGS=(--context "$2"); shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "argumento desconhecido: $1" 2 ;;
  esac
done

[[ $ROUTE_INDEX =~ ^[0-9]+$ ]] || die "--route deve ser um inteiro >= 0: $ROUTE_INDEX" 2
[[ -n $ROLLOUT && -n $RESTORE_FILE ]] && die "--rollout e --restore não podem ser usados juntos" 2

command -v kubectl >/dev/null 2>&1 || die "kubectl não encontrado no PATH" 2
command -v jq >/dev/null 2>&1 || die "jq não encontrado no PATH" 2

k() { kubectl "${CONTEXT_ARGS[@]}" -n "$NAMESPACE" "$@"; }

# ---------------------------------------------------------------- Argo Rollouts
if [[ -n $ROLLOUT ]]; then
  kubectl argo rollouts version >/dev/null 2>&1 \
    || die "plugin 'kubectl argo rollouts' não instalado; instale-o ou use o modo VirtualService" 2
  k get rollouts.argoproj.io "$ROLLOUT" >/dev/null \
    || die "Rollout '$ROLLOUT' não encontrado em $NAMESPACE" 2
  log "estado atual do Rollout '$ROLLOUT':"
  kubectl argo rollouts "${CONTEXT_ARGS[@]}" -n "$NAMESPACE" get rollout "$ROLLOUT" --no-color >&2 || true
  if [[ $DRY_RUN -eq 1 ]]; then
    log "(dry-run) executaria: kubectl argo rollouts -n $NAMESPACE abort $ROLLOUT"
    exit 0
  fi
  log "abortando o Rollout '$ROLLOUT' (canário -> 0%, tráfego volta ao estável)"
  kubectl argo rollouts "${CONTEXT_ARGS[@]}" -n "$NAMESPACE" abort "$ROLLOUT"
  sleep 5
  kubectl argo rollouts "${CONTEXT_ARGS[@]}" -n "$NAMESPACE" get rollout "$ROLLOUT" --no-color >&2 || true
  log "Rollout abortado. Ele fica 'Degraded' até um novo deploy ou 'kubectl argo rollouts retry rollout $ROLLOUT'."
  exit 0
fi

# ------------------------------------------------------------ VirtualService
VS_JSON="$(k get virtualservices.networking.istio.io "$VS_NAME" -o json)" \
  || die "não consegui ler o VirtualService '$VS_NAME' em $NAMESPACE" 2

jq -e --argjson r "$ROUTE_INDEX" '.spec.http[$r].route | type == "array"' <<<"$VS_JSON" >/dev/null \
  || die "spec.http[$ROUTE_INDEX].route não existe em '$VS_NAME'" 2

log "pesos atuais em spec.http[$ROUTE_INDEX]:"
jq -r --argjson r "$ROUTE_INDEX" \
  '.spec.http[$r].route | to_entries[]
   | "  route[\(.key)] host=\(.value.destination.host) subset=\(.value.destination.subset // "-") peso=\(.value.weight // "-")"' \
  <<<"$VS_JSON" >&2

# Um Rollout que gere este VirtualService desfaz qualquer patch manual.
if MANAGERS="$(k get rollouts.argoproj.io -o json 2>/dev/null \
     | jq -r --arg vs "$VS_NAME" '.items[]
         | select(([.spec.strategy.canary.trafficRouting.istio.virtualService.name?,
                    (.spec.strategy.canary.trafficRouting.istio.virtualServices[]?.name)]
                   | index($vs)) != null)
         | .metadata.name')" && [[ -n $MANAGERS ]]; then
  log "AVISO: o VirtualService '$VS_NAME' é gerido pelo(s) Rollout(s): $MANAGERS"
  log "AVISO: o controlador vai reescrever os pesos; rode de novo com --rollout $(head -n1 <<<"$MANAGERS")"
  [[ $DRY_RUN -eq 1 ]] || die "abortado para não aplicar um patch que seria desfeito" 1
fi

idx_of() {
  jq -r --argjson r "$ROUTE_INDEX" --arg s "$1" \
    '[.spec.http[$r].route | to_entries[] | select(.value.destination.subset == $s) | .key] | first // empty' \
    <<<"$VS_JSON"
}

if [[ -n $RESTORE_FILE ]]; then
  [[ -r $RESTORE_FILE ]] || die "arquivo de restauração ilegível: $RESTORE_FILE" 2
  PATCH="$(jq -c --argjson r "$ROUTE_INDEX" '
    [.spec.http[$r].route | to_entries[]
     | select(.value.weight != null)
     | {op: "replace", path: "/spec/http/\($r)/route/\(.key)/weight", value: .value.weight}]' "$RESTORE_FILE")"
  [[ $PATCH != "[]" ]] || die "a cópia não tem pesos na rota $ROUTE_INDEX" 2
  log "restaurando pesos a partir de $RESTORE_FILE"
else
  STABLE_IDX="$(idx_of "$STABLE_SUBSET")"
  CANARY_IDX="$(idx_of "$CANARY_SUBSET")"
  [[ -n $STABLE_IDX ]] || die "subset estável '$STABLE_SUBSET' não encontrado na rota $ROUTE_INDEX" 2
  [[ -n $CANARY_IDX ]] || die "subset canário '$CANARY_SUBSET' não encontrado na rota $ROUTE_INDEX" 2

  CANARY_WEIGHT="$(jq -r --argjson r "$ROUTE_INDEX" --argjson c "$CANARY_IDX" \
    '.spec.http[$r].route[$c].weight // 0' <<<"$VS_JSON")"
  if [[ $CANARY_WEIGHT == "0" ]]; then
    log "o canário já está com peso 0; nada a fazer"
    exit 0
  fi

  # As operações "test" garantem que ninguém reordenou as rotas entre a leitura e o patch.
  PATCH="$(jq -cn --argjson r "$ROUTE_INDEX" --argjson s "$STABLE_IDX" --argjson c "$CANARY_IDX" \
    --arg ss "$STABLE_SUBSET" --arg cs "$CANARY_SUBSET" '[
      {op: "test",    path: "/spec/http/\($r)/route/\($s)/destination/subset", value: $ss},
      {op: "test",    path: "/spec/http/\($r)/route/\($c)/destination/subset", value: $cs},
      {op: "replace", path: "/spec/http/\($r)/route/\($s)/weight", value: 100},
      {op: "replace", path: "/spec/http/\($r)/route/\($c)/weight", value: 0}]')"
fi

log "patch: $PATCH"

if [[ $DRY_RUN -eq 1 ]]; then
  log "(dry-run) validando o patch no servidor, sem persistir"
  k patch virtualservices.networking.istio.io "$VS_NAME" --type=json -p "$PATCH" --dry-run=server -o name
  log "dry-run concluído; nada foi alterado"
  exit 0
fi

mkdir -p "$BACKUP_DIR"
BACKUP_FILE="$BACKUP_DIR/${VS_NAME}-$(date -u +%Y%m%dT%H%M%SZ).json"
printf '%s\n' "$VS_JSON" >"$BACKUP_FILE"
log "cópia do VirtualService salva em $BACKUP_FILE"

k patch virtualservices.networking.istio.io "$VS_NAME" --type=json -p "$PATCH"

log "pesos depois do patch:"
k get virtualservices.networking.istio.io "$VS_NAME" -o json \
  | jq -r --argjson r "$ROUTE_INDEX" '.spec.http[$r].route[]
      | "  subset=\(.destination.subset // "-") peso=\(.weight // "-")"' >&2
if [[ -n $RESTORE_FILE ]]; then
  log "pesos restaurados"
else
  log "canário congelado (0%). Para desfazer: $PROG --vs $VS_NAME -n $NAMESPACE --restore $BACKUP_FILE"
fi
