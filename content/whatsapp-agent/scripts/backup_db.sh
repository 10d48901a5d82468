#!/usr/bin/env bash
# backup_db.sh — backup do banco (e, opcionalmente, da configuração) do Agente WhatsApp.
#
# Grava backups/db/whats_agent_AAAAMMDD_HHMMSS.dump (pg_dump -Fc) através de um arquivo
# .partial que só é renomeado depois de o dump ser lido com sucesso por pg_restore --list;
# assim nenhum arquivo com nome de backup válido fica pela metade. Com --config, cifra
# .env, docker-compose.yml e nginx/ com GPG. Com --remote, copia para o servidor externo.
#
# Saída: 0 sucesso, 1 falha, 64 uso incorreto.
set -euo pipefail

readonly SCRIPT_NAME="${0##*/}"

APP_DIR="${WA_APP_DIR:-/opt/whats-agent}"
DB_SERVICE="${WA_DB_SERVICE:-db}"
BACKUP_REMOTE="${WA_BACKUP_REMOTE:-backup@backup.example.org:/srv/backups/whats-agent}"
GPG_RECIPIENT="${WA_BACKUP_GPG_RECIPIENT:-ops-whatsapp@example.org}"
KEEP_DAYS=7
WITH_CONFIG=0
WITH_REMOTE=0
DRY_RUN=0

usage() {
	cat <<EOF
Uso: $SCRIPT_NAME [opções]

Faz o backup do PostgreSQL do Agente WhatsApp em DIR_DA_APLICAÇÃO/backups/db/.

Opções:
  --config          também grava a configuração cifrada em backups/config/
  --remote          copia backups/ para \$WA_BACKUP_REMOTE com rsync
  --keep-days N     apaga dumps locais com mais de N dias (padrão: $KEEP_DAYS; 0 = não apaga)
  --app-dir DIR     diretório da aplicação (padrão: \$WA_APP_DIR ou /opt/whats-agent)
  --dry-run         mostra o que seria feito, sem gravar nem apagar nada
  -h, --help        mostra esta ajuda

Ambiente: WA_APP_DIR, WA_DB_SERVICE, WA_BACKUP_REMOTE, WA_BACKUP_GPG_RECIPIENT.
EOF
}

die_usage() {
	printf '%s: %s\n' "$SCRIPT_NAME" "$1" >&2
	printf 'Use %s --help para ver as opções.\n' "$SCRIPT_NAME" >&2
	exit 64
}

log() { printf '%s [%s] %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$1" "$2"; }
fail() {
	log FALHA "$1"
	exit 1
}

while [[ $# -gt 0 ]]; do
	case "$1" in
	--config)
		WITH_CONFIG=1
		shift
		;;
	--remote)
		WITH_REMOTE=1
		shift
		;;
	--keep-days)
		[[ "${2:-}" =~ ^[0-9]+$ ]] || die_usage "--keep-days exige um número inteiro"
		KEEP_DAYS="$2"
		shift 2
		;;
	--app-dir)
		[[ $# -ge 2 ]] || die_usage "--app-dir exige um diretório"
		APP_DIR="$2"
		shift 2
		;;
	--dry-run)
		DRY_RUN=1
		shift
		;;
	-h | --help)
		usage
		exit 0
		;;
	*) die_usage "opção desconhecida: $1" ;;
	esac
done

[[ -d "$APP_DIR" ]] || die_usage "diretório da aplicação não existe: $APP_DIR"
cd "$APP_DIR"

compose() { docker compose --project-directory "$APP_DIR" "$@"; }

TS="$(date +%Y%m%d_%H%M%S)"
DUMP="backups/db/whats_agent_${TS}.dump"
PARTIAL="backups/db/.whats_agent_${TS}.dump.partial"

if ((DRY_RUN)); then
	log DRY-RUN "pg_dump -Fc do serviço $DB_SERVICE > $PARTIAL; validar com pg_restore --list; renomear para $DUMP"
else
	mkdir -p backups/db
	trap 'rm -f -- "$PARTIAL"' EXIT
	log INFO "iniciando pg_dump (serviço $DB_SERVICE)"
	# shellcheck disable=SC2016
	compose exec -T "$DB_SERVICE" sh -c 'pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" -Fc' >"$PARTIAL" ||
		fail "pg_dump falhou; veja o estado do banco"
	[[ -s "$PARTIAL" ]] || fail "pg_dump gerou arquivo vazio"
	compose exec -T "$DB_SERVICE" pg_restore --list <"$PARTIAL" >/dev/null ||
		fail "o dump não passou em pg_restore --list"
	mv -f -- "$PARTIAL" "$DUMP"
	trap - EXIT
	chmod 600 "$DUMP"
	log OK "backup gravado: $DUMP ($(du -h "$DUMP" | cut -f1))"
fi

if ((WITH_CONFIG)); then
	CONF="backups/config/config_$(date +%Y%m%d).tar.gz.gpg"
	if ((DRY_RUN)); then
		log DRY-RUN "tar .env docker-compose.yml nginx/ | gpg --encrypt --recipient $GPG_RECIPIENT > $CONF"
	else
		command -v gpg >/dev/null 2>&1 || fail "gpg não instalado; configuração não salva"
		mkdir -p backups/config
		tar -czf - .env docker-compose.yml nginx/ |
			gpg --batch --yes --encrypt --recipient "$GPG_RECIPIENT" --output "$CONF" ||
			fail "falha ao cifrar a configuração"
		log OK "configuração cifrada: $CONF"
	fi
fi

if ((KEEP_DAYS > 0)); then
	if ((DRY_RUN)); then
		find backups/db -maxdepth 1 -name 'whats_agent_*.dump' -mtime +"$KEEP_DAYS" -printf '%p\n' |
			while read -r f; do log DRY-RUN "apagaria $f"; done
	else
		find backups/db -maxdepth 1 -name 'whats_agent_*.dump' -mtime +"$KEEP_DAYS" -print -delete |
			while read -r f; do log INFO "removido (mais de $KEEP_DAYS dias): $f"; done
	fi
fi

if ((WITH_REMOTE)); then
	if ((DRY_RUN)); then
		log DRY-RUN "rsync -a --partial backups/ $BACKUP_REMOTE/"
	else
		rsync -a --partial backups/ "$BACKUP_REMOTE/" || fail "cópia externa para $BACKUP_REMOTE falhou"
		log OK "cópia externa concluída: $BACKUP_REMOTE"
	fi
fi
log OK "backup concluído"
