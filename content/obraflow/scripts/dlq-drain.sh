#!/usr/bin/env bash
# dlq-drain.sh — drena uma DLQ do Kafka do ObraFlow para arquivo e, num segundo
# passo controlado, republica as mensagens válidas no tópico de origem.
#
# Drenagem idempotente: a leitura usa um consumer group dedicado
# (obraflow-dlq-drain.<tópico>), que grava offsets; rodar de novo só traz
# mensagens novas. A DLQ em si não é apagada (expira pela retenção).
# O reenvio descarta valores que não são JSON (poison pills) e duplicatas
# por event_id; os consumidores do ObraFlow também deduplicam por event_id.
set -euo pipefail

PROG="dlq-drain.sh"
BOOTSTRAP="${KAFKA_BOOTSTRAP:-${BS:-}}"
COMMAND_CONFIG="${KAFKA_COMMAND_CONFIG:-}"
GROUP=""
OUT_DIR="./dlq-dumps"
MAX_MESSAGES=10000
TIMEOUT_MS=60000
REPLAY_FILE=""
REPLAY_TO=""
DRY_RUN=0
ASSUME_YES=0
TOPIC=""

usage() {
  cat <<'USAGE'
Uso:
  dlq-drain.sh [opções] <tópico.dlq>                      drena a DLQ para arquivo
  dlq-drain.sh [opções] --replay ARQ.ndjson --to TÓPICO    republica um dump

Opções:
  -b, --bootstrap-server H:P  brokers (padrão: $KAFKA_BOOTSTRAP ou $BS)
  -c, --command-config ARQ    propriedades de cliente (TLS/SASL); padrão
                              $KAFKA_COMMAND_CONFIG. Credenciais ficam no
                              arquivo, nunca na linha de comando.
  -g, --group NOME            consumer group da drenagem
                              (padrão: obraflow-dlq-drain.<tópico>)
  -o, --out-dir DIR           pasta dos dumps (padrão: ./dlq-dumps)
      --max-messages N        máximo de mensagens por execução (padrão: 10000)
      --timeout-ms MS         encerra após MS sem mensagens (padrão: 60000)
      --replay ARQ            arquivo .ndjson gerado por uma drenagem
      --to TÓPICO             tópico de destino do reenvio (não pode ser .dlq)
      --dry-run               drenagem: só mostra o lag do group na DLQ;
                              reenvio: só conta e mostra o que seria enviado
  -y, --yes                   não pede confirmação antes do reenvio
  -h, --help                  mostra esta ajuda

Arquivos gerados (drenagem), em --out-dir:
  <tópico>-<UTC>.ndjson   um objeto por linha: {key, value, valid_json}

Exemplos:
  dlq-drain.sh --dry-run work.events.dlq
  dlq-drain.sh work.events.dlq
  dlq-drain.sh --replay dlq-dumps/work.events.dlq-20261120T031500Z.ndjson --to work.events --dry-run

Saída: 0 sucesso; 1 falha; 2 uso incorreto ou pré-requisito ausente.
USAGE
}

log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PROG" "$*" >&2; }
die() { log "ERRO: $1"; exit "${2:-1}"; }
need_value() { [[ $2 -ge 2 ]] || die "$1 exige um valor" 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -b|--bootstrap-server) need_value "$1" $#; BOOTSTRAP="$2"; shift 2 ;;
    -c|--command-config) need_value "$1" $#; COMMAND_CONFIG="$2"; shift 2 ;;
    -g|--group) need_value "$1" $#; GROUP="$2"; shift 2 ;;
    -o|--out-dir) need_value "$1" $#; OUT_DIR="$2"; shift 2 ;;
    --max-messages) need_value "$1" $#; MAX_MESSAGES="$2"; shift 2 ;;
    --timeout-ms) need_value "$1" $#; TIMEOUT_MS="$2"; shift 2 ;;
    --replay) need_value "$1" $#; REPLAY_FILE="$2"; shift 2 ;;
    --to) need_value "$1" $#; REPLAY_TO="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -y|--yes) ASSUME_YES=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "opção desconhecida: $1" 2 ;;
    *) [[ -z $TOPIC ]] || die "argumento a mais: $1" 2; TOPIC="$1"; shift ;;
  esac
done

[[ -n $BOOTSTRAP ]] || die "informe --bootstrap-server ou exporte KAFKA_BOOTSTRAP" 2
[[ $MAX_MESSAGES =~ ^[1-9][0-9]*$ ]] || die "--max-messages deve ser inteiro positivo" 2
[[ $TIMEOUT_MS =~ ^[1-9][0-9]*$ ]] || die "--timeout-ms deve ser inteiro positivo" 2
if [[ -n $COMMAND_CONFIG && ! -r $COMMAND_CONFIG ]]; then
  die "arquivo de configuração ilegível: $COMMAND_CONFIG" 2
fi
command -v jq >/dev/null 2>&1 || die "jq não encontrado no PATH" 2

# Apache Kafka instala "kafka-x.sh"; a distribuição Confluent, "kafka-x".
kafka_bin() {
  local name="$1"
  if command -v "$name" >/dev/null 2>&1; then printf '%s' "$name"
  elif command -v "$name.sh" >/dev/null 2>&1; then printf '%s' "$name.sh"
  else die "nem '$name' nem '$name.sh' estão no PATH (instale o Kafka CLI)" 2
  fi
}

SEP=$'\t'

# ------------------------------------------------------------------ reenvio
if [[ -n $REPLAY_FILE ]]; then
  [[ -z $TOPIC ]] || die "no modo --replay não informe o tópico DLQ como argumento" 2
  [[ -n $REPLAY_TO ]] || die "--replay exige --to TÓPICO" 2
  [[ $REPLAY_TO != *.dlq ]] || die "recuso reenviar para uma DLQ ($REPLAY_TO): criaria um laço" 2
  [[ -r $REPLAY_FILE ]] || die "arquivo ilegível: $REPLAY_FILE" 2

  TOTAL="$(grep -c . "$REPLAY_FILE" || true)"
  REJECTED_FILE="${REPLAY_FILE%.ndjson}.rejected.ndjson"
  KEYED_FILE="$(mktemp)"; UNKEYED_FILE="$(mktemp)"
  trap 'rm -f "$KEYED_FILE" "$UNKEYED_FILE"' EXIT

  # Poison pills (valor não-JSON) vão para o arquivo de rejeitados, não para o Kafka.
  jq -c 'select(.valid_json | not)' "$REPLAY_FILE" >"$REJECTED_FILE"
  # Válidos, sem duplicatas por event_id (ou pelo valor inteiro, se não houver id).
  jq -s -c 'map(select(.valid_json))
            | unique_by(.value.event_id // .value.id // (.value | tojson))
            | .[]' "$REPLAY_FILE" \
    | jq -r --arg sep "$SEP" 'select(.key != null) | "\(.key)\($sep)\(.value | tojson)"' >"$KEYED_FILE"
  jq -s -c 'map(select(.valid_json))
            | unique_by(.value.event_id // .value.id // (.value | tojson))
            | .[] | select(.key == null) | .value' "$REPLAY_FILE" >"$UNKEYED_FILE"

  N_KEYED="$(grep -c . "$KEYED_FILE" || true)"
  N_UNKEYED="$(grep -c . "$UNKEYED_FILE" || true)"
  N_REJECTED="$(grep -c . "$REJECTED_FILE" || true)"
  log "dump: $TOTAL linhas; a reenviar: $((N_KEYED + N_UNKEYED)) (com chave: $N_KEYED, sem chave: $N_UNKEYED); rejeitadas: $N_REJECTED -> $REJECTED_FILE"

  if [[ $DRY_RUN -eq 1 ]]; then
    log "(dry-run) primeiras mensagens que seriam enviadas para '$REPLAY_TO':"
    head -n 3 "$KEYED_FILE" "$UNKEYED_FILE" >&2 || true
    log "(dry-run) nada foi enviado"
    exit 0
  fi
  [[ $((N_KEYED + N_UNKEYED)) -gt 0 ]] || { log "nada a reenviar"; exit 0; }

  if [[ $ASSUME_YES -eq 0 ]]; then
    [[ -t 0 ]] || die "sem terminal interativo: use --yes para confirmar" 2
    read -r -p "Reenviar $((N_KEYED + N_UNKEYED)) mensagens para '$REPLAY_TO'? [s/N] " answer || answer=""
    [[ $answer == [sS] ]] || die "cancelado pelo operador" 1
  fi

  PRODUCER="$(kafka_bin kafka-console-producer)"
  PRODUCER_ARGS=(--bootstrap-server "$BOOTSTRAP" --topic "$REPLAY_TO"
                 --producer-property acks=all --producer-property enable.idempotence=true)
  [[ -z $COMMAND_CONFIG ]] || PRODUCER_ARGS+=(--producer.config "$COMMAND_CONFIG")

  if [[ $N_KEYED -gt 0 ]]; then
    log "enviando $N_KEYED mensagens com chave (mesma partição de origem por chave)"
    "$PRODUCER" "${PRODUCER_ARGS[@]}" --property parse.key=true --property "key.separator=$SEP" <"$KEYED_FILE"
  fi
  if [[ $N_UNKEYED -gt 0 ]]; then
    log "enviando $N_UNKEYED mensagens sem chave"
    "$PRODUCER" "${PRODUCER_ARGS[@]}" <"$UNKEYED_FILE"
  fi
  log "reenvio concluído para '$REPLAY_TO'; acompanhe o lag do consumer e a DLQ por 15 min"
  exit 0
fi

# ----------------------------------------------------------------- drenagem
[[ -n $TOPIC ]] || { usage >&2; die "informe o tópico DLQ" 2; }
[[ $TOPIC == *.dlq ]] || log "AVISO: '$TOPIC' não termina em .dlq; confira se é mesmo uma DLQ"
[[ -n $GROUP ]] || GROUP="obraflow-dlq-drain.$TOPIC"

GROUPS_BIN="$(kafka_bin kafka-consumer-groups)"
GROUPS_ARGS=(--bootstrap-server "$BOOTSTRAP" --describe --group "$GROUP")
[[ -z $COMMAND_CONFIG ]] || GROUPS_ARGS+=(--command-config "$COMMAND_CONFIG")

if [[ $DRY_RUN -eq 1 ]]; then
  log "(dry-run) offsets e lag do group '$GROUP' (se ele já existir):"
  "$GROUPS_BIN" "${GROUPS_ARGS[@]}" >&2 || log "(dry-run) group ainda não existe: a 1ª drenagem lerá a DLQ desde o início"
  log "(dry-run) leria até $MAX_MESSAGES mensagens de '$TOPIC' para $OUT_DIR; nada foi consumido"
  exit 0
fi

CONSUMER="$(kafka_bin kafka-console-consumer)"
mkdir -p "$OUT_DIR"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RAW_FILE="$(mktemp)"
trap 'rm -f "$RAW_FILE"' EXIT
OUT_FILE="$OUT_DIR/$TOPIC-$STAMP.ndjson"

CONSUMER_ARGS=(--bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" --group "$GROUP"
               --from-beginning --max-messages "$MAX_MESSAGES" --timeout-ms "$TIMEOUT_MS"
               --property print.key=true --property "key.separator=$SEP")
[[ -z $COMMAND_CONFIG ]] || CONSUMER_ARGS+=(--consumer.config "$COMMAND_CONFIG")

log "drenando '$TOPIC' com o group '$GROUP' (máx. $MAX_MESSAGES msgs, ${TIMEOUT_MS} ms sem mensagens encerra)"
# O console consumer termina com erro de timeout quando a fila esvazia: isso é esperado.
"$CONSUMER" "${CONSUMER_ARGS[@]}" >"$RAW_FILE" || log "consumer encerrado (timeout ou fim da fila); seguindo com o que foi lido"

COUNT="$(grep -c . "$RAW_FILE" || true)"
if [[ $COUNT -eq 0 ]]; then
  log "nenhuma mensagem nova em '$TOPIC'"
  exit 0
fi

# Linha crua: "<chave>\t<valor>" (chave "null" quando a mensagem não tem chave).
jq -R -c --arg sep "$SEP" '
  (index($sep)) as $i
  | (if $i == null then ["null", .] else [.[0:$i], .[$i + 1:]] end) as $p
  | ($p[1] | try fromjson catch null) as $v
  | {key: (if $p[0] == "null" then null else $p[0] end),
     value: (if $v == null then $p[1] else $v end),
     valid_json: ($v != null)}' "$RAW_FILE" >"$OUT_FILE"

INVALID="$(jq -c 'select(.valid_json | not)' "$OUT_FILE" | grep -c . || true)"
log "drenadas $COUNT mensagens -> $OUT_FILE ($INVALID com valor não-JSON: prováveis poison pills)"
log "próximo passo: analisar o arquivo e, se a causa foi corrigida, reenviar com"
log "  $PROG --replay $OUT_FILE --to ${TOPIC%.dlq} --dry-run"
