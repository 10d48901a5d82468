#!/usr/bin/env bash
# test-restore.sh — teste trimestral de restauração de backup do Assist Move
# Marias. Restaura um backup do PostgreSQL num contêiner descartável (sem porta
# exposta), confere tabelas essenciais e mede o tempo. Não toca no banco de
# produção.
#
# Formatos aceitos: dump custom do pg_dump (*.dump) e SQL compactado (*.sql.gz).
set -euo pipefail

SCRIPT_NAME="$(basename "$0")"
BACKUP_DIR="${ASSIST_BACKUP_DIR:-/srv/assist/backups}"
BACKUP_FILE=""
IMAGE="postgres:16-alpine"
REPORT_FILE="${ASSIST_RESTORE_REPORT:-/srv/assist/restore-tests.log}"
EXPECT_TABLES=()
KEEP=0
DRY_RUN=0
DB_NAME="restore_test"
CONTAINER="assist-restore-test-$(date -u +%Y%m%d%H%M%S)"

usage() {
  cat <<USAGE
Uso: $SCRIPT_NAME [opções]

Restaura o backup mais recente (ou o indicado) num PostgreSQL descartável em
Docker, verifica tabelas e registra o resultado em REPORT_FILE.

Opções:
      --file ARQ          backup a testar (padrão: o mais recente em --dir)
      --dir DIR           pasta dos backups (padrão: \$ASSIST_BACKUP_DIR ou /srv/assist/backups)
      --image IMG         imagem do PostgreSQL, mesma versão principal da produção
                          (padrão: postgres:16-alpine)
      --expect-table T    tabela que precisa existir e ter linhas (repetível;
                          padrão: beneficiarias)
      --report ARQ        arquivo onde o resultado é acrescentado
                          (padrão: /srv/assist/restore-tests.log)
      --keep              mantém o contêiner no fim, para inspeção manual
      --dry-run           mostra o plano sem criar contêiner
  -h, --help              mostra esta ajuda

Códigos de saída: 0 restauração válida, 1 falha, 2 uso incorreto.
USAGE
}

log()  { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die()  { log "ERRO: $*"; exit 1; }
usage_error() { log "ERRO: $*"; usage >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --file)         [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; BACKUP_FILE="$2"; shift 2 ;;
    --dir)          [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; BACKUP_DIR="$2"; shift 2 ;;
    --image)        [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; IMAGE="$2"; shift 2 ;;
    --expect-table) [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; EXPECT_TABLES+=("$2"); shift 2 ;;
    --report)       [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; REPORT_FILE="$2"; shift 2 ;;
    --keep)         KEEP=1; shift ;;
    --dry-run)      DRY_RUN=1; shift ;;
    -h|--help)      usage; exit 0 ;;
    *)              usage_error "opção desconhecida: $1" ;;
  esac
done

[[ "${#EXPECT_TABLES[@]}" -gt 0 ]] || EXPECT_TABLES=(beneficiarias)
for t in "${EXPECT_TABLES[@]}"; do
  [[ "$t" =~ ^[a-z_][a-z0-9_]*$ ]] || usage_error "nome de tabela inválido: $t"
done
command -v docker >/dev/null 2>&1 || die "docker ausente no PATH"

if [[ -z "$BACKUP_FILE" ]]; then
  [[ -d "$BACKUP_DIR" ]] || die "pasta de backups não existe: $BACKUP_DIR"
  BACKUP_FILE="$(find "$BACKUP_DIR" -maxdepth 1 -type f \( -name '*.dump' -o -name '*.sql.gz' \) -printf '%T@ %p\n' \
    | sort -rn | head -n 1 | cut -d' ' -f2-)"
  [[ -n "$BACKUP_FILE" ]] || die "nenhum *.dump ou *.sql.gz em $BACKUP_DIR"
fi
[[ -s "$BACKUP_FILE" ]] || die "backup inexistente ou vazio: $BACKUP_FILE"
case "$BACKUP_FILE" in
  *.dump)   FORMAT=custom ;;
  *.sql.gz) FORMAT=sqlgz ;;
  *)        usage_error "formato não suportado (use .dump ou .sql.gz): $BACKUP_FILE" ;;
esac

age_h=$(( ( $(date +%s) - $(stat -c %Y "$BACKUP_FILE") ) / 3600 ))
log "backup: $BACKUP_FILE ($(du -h "$BACKUP_FILE" | cut -f1), ${age_h} h de idade, formato $FORMAT)"
[[ "$age_h" -le 26 ]] || log "AVISO: o backup mais recente tem mais de 26 h; o backup diário pode estar falhando"

if [[ -f "$BACKUP_FILE.sha256" ]]; then
  ( cd "$(dirname "$BACKUP_FILE")" && sha256sum -c --quiet "$(basename "$BACKUP_FILE").sha256" ) \
    || die "checksum não confere para $BACKUP_FILE"
  log "checksum SHA-256 confere"
fi

if [[ "$DRY_RUN" -eq 1 ]]; then
  log "[dry-run] criaria o contêiner $CONTAINER ($IMAGE, sem portas publicadas)"
  log "[dry-run] restauraria em $DB_NAME e conferiria: ${EXPECT_TABLES[*]}"
  log "[dry-run] acrescentaria o resultado em $REPORT_FILE"
  exit 0
fi

cleanup() {
  if [[ "$KEEP" -eq 1 ]]; then
    log "--keep: contêiner $CONTAINER mantido; remova com: docker rm -f $CONTAINER"
  else
    docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

start="$(date +%s)"
# Sem porta publicada: o banco só é acessível via docker exec, por isso trust.
docker run -d --name "$CONTAINER" -e POSTGRES_HOST_AUTH_METHOD=trust "$IMAGE" >/dev/null
for _ in $(seq 1 60); do
  docker exec "$CONTAINER" pg_isready -U postgres -q 2>/dev/null && break
  sleep 1
done
docker exec "$CONTAINER" pg_isready -U postgres -q || die "o PostgreSQL descartável não iniciou"
# A imagem oficial reinicia o servidor após a inicialização; espera estabilizar.
sleep 3
docker exec "$CONTAINER" pg_isready -U postgres -q || sleep 5
docker exec "$CONTAINER" createdb -U postgres "$DB_NAME"

log "restaurando em $CONTAINER/$DB_NAME"
if [[ "$FORMAT" == custom ]]; then
  docker cp "$BACKUP_FILE" "$CONTAINER:/tmp/backup.dump"
  docker exec "$CONTAINER" pg_restore -U postgres -d "$DB_NAME" --no-owner --no-privileges --exit-on-error /tmp/backup.dump \
    || die "pg_restore falhou: o backup NÃO é restaurável"
else
  gunzip -c "$BACKUP_FILE" | docker exec -i "$CONTAINER" psql -U postgres -d "$DB_NAME" -q -v ON_ERROR_STOP=1 >/dev/null \
    || die "psql falhou ao carregar o SQL: o backup NÃO é restaurável"
fi
elapsed=$(( $(date +%s) - start ))

psql_q() { docker exec "$CONTAINER" psql -U postgres -d "$DB_NAME" -X -At -c "$1"; }
psql_q "ANALYZE;" >/dev/null
tables="$(psql_q "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema');")"
log "restauração concluída em ${elapsed}s: $tables tabelas"
log "maiores tabelas (linhas estimadas):"
psql_q "SELECT relname || ': ' || n_live_tup FROM pg_stat_user_tables ORDER BY n_live_tup DESC LIMIT 10;" | sed 's/^/  /' >&2

result="OK"
for t in "${EXPECT_TABLES[@]}"; do
  exists="$(psql_q "SELECT to_regclass('public.$t') IS NOT NULL;")"
  if [[ "$exists" != "t" ]]; then
    log "FALHA: tabela $t não existe no backup"; result="FALHA"; continue
  fi
  rows="$(psql_q "SELECT count(*) FROM public.$t;")"
  if [[ "$rows" -gt 0 ]]; then log "tabela $t: $rows linhas"; else log "FALHA: tabela $t está vazia"; result="FALHA"; fi
done

line="$(date -u +%Y-%m-%dT%H:%M:%SZ) $result arquivo=$(basename "$BACKUP_FILE") idade_h=$age_h tempo_s=$elapsed tabelas=$tables"
if printf '%s\n' "$line" >> "$REPORT_FILE" 2>/dev/null; then
  log "resultado registrado em $REPORT_FILE"
else
  log "AVISO: não foi possível escrever em $REPORT_FILE"
fi
log "$line"
[[ "$result" == "OK" ]] || exit 1
