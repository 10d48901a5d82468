#!/usr/bin/env bash
# backup.sh — backup lógico do PostgreSQL do Simpix com pg_dump (formato custom)
# e retenção por idade. O arquivo gerado é o que o procedimento de restore
# (04-procedimento-de-restore.md) usa com pg_restore.
#
# Conexão: DATABASE_URL (preferido) ou as variáveis padrão PGHOST, PGPORT,
# PGDATABASE, PGUSER. A senha vem do ambiente (carregado de /srv/simpix/.env
# ou do cofre) ou de ~/.pgpass — nunca de um argumento deste script.
set -euo pipefail

SCRIPT_NAME="$(basename "$0")"
OUTPUT_DIR="${BACKUP_DIR:-/srv/simpix/backups}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
PREFIX="simpix"
COMPRESS_LEVEL=6
DRY_RUN=0

usage() {
  cat <<USAGE
Uso: $SCRIPT_NAME [opções]

Gera um dump do banco do Simpix com pg_dump --format=custom, valida o arquivo
com pg_restore --list, grava o checksum SHA-256 ao lado e apaga dumps mais
antigos que o prazo de retenção.

Opções:
  -o, --output-dir DIR   pasta dos backups (padrão: \$BACKUP_DIR ou /srv/simpix/backups)
  -k, --keep-days N      apaga dumps com mais de N dias (padrão: \$BACKUP_KEEP_DAYS ou 14;
                         0 desliga a retenção)
      --prefix NOME      prefixo do arquivo (padrão: simpix)
  -z, --compress N       nível de compressão do pg_dump, 0-9 (padrão: 6)
      --dry-run          mostra o que seria feito, sem gerar nem apagar nada
  -h, --help             mostra esta ajuda

Ambiente:
  DATABASE_URL           string de conexão do PostgreSQL (ou PGHOST/PGDATABASE/PGUSER)

Saída: DIR/PREFIX-AAAAMMDDTHHMMSSZ.dump e DIR/PREFIX-AAAAMMDDTHHMMSSZ.dump.sha256
Código de saída: 0 sucesso, 1 falha no dump/validação, 2 uso incorreto.
USAGE
}

log()  { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$SCRIPT_NAME" "$*" >&2; }
die()  { log "ERRO: $*"; exit 1; }
usage_error() { log "ERRO: $*"; usage >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -o|--output-dir) [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; OUTPUT_DIR="$2"; shift 2 ;;
    -k|--keep-days)  [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; KEEP_DAYS="$2"; shift 2 ;;
    --prefix)        [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; PREFIX="$2"; shift 2 ;;
    -z|--compress)   [[ $# -ge 2 ]] || usage_error "$1 exige um valor"; COMPRESS_LEVEL="$2"; shift 2 ;;
    --dry-run)       DRY_RUN=1; shift ;;
    -h|--help)       usage; exit 0 ;;
    *)               usage_error "opção desconhecida: $1" ;;
  esac
done

[[ "$KEEP_DAYS" =~ ^[0-9]+$ ]] || usage_error "--keep-days deve ser um inteiro >= 0 (recebido: $KEEP_DAYS)"
[[ "$COMPRESS_LEVEL" =~ ^[0-9]$ ]] || usage_error "--compress deve estar entre 0 e 9 (recebido: $COMPRESS_LEVEL)"
[[ "$PREFIX" =~ ^[A-Za-z0-9._-]+$ ]] || usage_error "--prefix aceita apenas letras, números, '.', '_' e '-'"
[[ -n "$OUTPUT_DIR" ]] || usage_error "--output-dir não pode ser vazio"

for tool in pg_dump pg_restore sha256sum find; do
  command -v "$tool" >/dev/null 2>&1 || die "ferramenta ausente no PATH: $tool"
done

# Argumentos de conexão: a URL nunca é escrita no log (pode conter credencial).
conn_args=()
if [[ -n "${DATABASE_URL:-}" ]]; then
  conn_args=(--dbname="$DATABASE_URL")
  conn_desc="DATABASE_URL"
elif [[ -n "${PGDATABASE:-}" ]]; then
  conn_desc="PGHOST=${PGHOST:-localhost} PGDATABASE=$PGDATABASE PGUSER=${PGUSER:-$(id -un)}"
else
  die "defina DATABASE_URL (ex.: set -a; . /srv/simpix/.env; set +a) ou PGDATABASE"
fi

timestamp="$(date -u +%Y%m%dT%H%M%SZ)"
final_file="$OUTPUT_DIR/$PREFIX-$timestamp.dump"
partial_file="$OUTPUT_DIR/.$PREFIX-$timestamp.dump.partial"

list_expired() {
  [[ "$KEEP_DAYS" -gt 0 && -d "$OUTPUT_DIR" ]] || return 0
  find "$OUTPUT_DIR" -maxdepth 1 -type f -name "$PREFIX-*.dump" -mtime +"$KEEP_DAYS" -print | sort
}

if [[ "$DRY_RUN" -eq 1 ]]; then
  log "[dry-run] conexão: $conn_desc"
  log "[dry-run] geraria: $final_file (pg_dump --format=custom --compress=$COMPRESS_LEVEL)"
  log "[dry-run] validaria com pg_restore --list e gravaria $final_file.sha256"
  if [[ "$KEEP_DAYS" -gt 0 ]]; then
    expired="$(list_expired)"
    if [[ -n "$expired" ]]; then
      log "[dry-run] retenção de $KEEP_DAYS dias apagaria:"
      printf '  %s\n' "$expired" >&2
    else
      log "[dry-run] retenção de $KEEP_DAYS dias: nenhum dump expirado"
    fi
  else
    log "[dry-run] retenção desligada (--keep-days 0)"
  fi
  exit 0
fi

mkdir -p "$OUTPUT_DIR"
chmod 0700 "$OUTPUT_DIR" 2>/dev/null || log "aviso: não foi possível ajustar a permissão de $OUTPUT_DIR"

# Impede duas execuções simultâneas (cron + execução manual, por exemplo).
exec 9>"$OUTPUT_DIR/.backup.lock"
if command -v flock >/dev/null 2>&1; then
  flock -n 9 || die "outro backup já está em andamento (lock em $OUTPUT_DIR/.backup.lock)"
fi

cleanup() { rm -f -- "$partial_file"; }
trap cleanup EXIT

umask 077
log "iniciando pg_dump ($conn_desc) -> $final_file"
start_epoch="$(date +%s)"
if ! pg_dump "${conn_args[@]}" --format=custom --compress="$COMPRESS_LEVEL" \
      --no-password --file="$partial_file"; then
  die "pg_dump falhou; nenhum arquivo novo foi gravado"
fi

entries="$(pg_restore --list "$partial_file" | grep -cv '^;' || true)"
[[ "$entries" -gt 0 ]] || die "o dump gerado não tem entradas legíveis por pg_restore --list"

mv -- "$partial_file" "$final_file"
( cd "$OUTPUT_DIR" && sha256sum -- "$(basename "$final_file")" > "$(basename "$final_file").sha256" )
size="$(du -h -- "$final_file" | cut -f1)"
log "backup concluído: $final_file ($size, $entries entradas, $(( $(date +%s) - start_epoch ))s)"

if [[ "$KEEP_DAYS" -gt 0 ]]; then
  removed=0
  while IFS= read -r old; do
    [[ -n "$old" && "$old" != "$final_file" ]] || continue
    rm -f -- "$old" "$old.sha256"
    log "retenção: removido $old"
    removed=$((removed + 1))
  done < <(list_expired)
  log "retenção de $KEEP_DAYS dias: $removed dump(s) removido(s)"
fi
