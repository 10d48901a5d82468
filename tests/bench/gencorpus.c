/*
 * gencorpus: writes a deterministic synthetic handbook for the benchmark.
 * Same arguments, same bytes: a fixed xorshift generator, no clock, no
 * locale.  N runbooks of about 3-8 KB in several sections, each with front
 * matter, the required sections, a table, code blocks, script references
 * and 3-6 cross-links with anchors to other runbooks.
 *
 * Usage: gencorpus N DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NSECTIONS 12

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned
next(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *const words[] = {
	"latência", "consumidor", "partição", "réplica", "banco", "fila",
	"timeout", "conexão", "cache", "deploy", "rollback", "cluster",
	"nó", "disco", "memória", "CPU", "pod", "serviço", "tráfego",
	"erro", "alerta", "métrica", "limite", "janela", "lote", "job",
	"índice", "consulta", "bloqueio", "certificado", "DNS", "rede",
	"gateway", "token", "sessão", "checkpoint", "snapshot", "backup",
};
static const char *const services[] = {
	"api", "billing", "checkout", "search", "auth", "payments", "sync",
	"ingest", "reports", "notifications",
};
static const char *const sections[NSECTIONS] = {
	"database", "kafka", "api", "storage", "network", "auth", "billing",
	"search", "mobile", "observability", "platform", "security",
};

static void
sentence(FILE *f, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", words[next(sizeof(words) /
		    sizeof(words[0]))]);
	fputs(". ", f);
}

static void
paragraph(FILE *f, unsigned sentences)
{
	unsigned i;

	for (i = 0; i < sentences; i++)
		sentence(f, 9 + next(14));
	fputs("\n\n", f);
}

static void
page_path(char *out, size_t len, unsigned i)
{
	snprintf(out, len, "%s/runbook-%05u.md", sections[i % NSECTIONS], i);
}

static void
write_page(const char *dir, unsigned i, unsigned n)
{
	char path[512], rel[128], target[128];
	unsigned k, links = 3 + next(4), extra = next(6);
	FILE *f;

	page_path(rel, sizeof(rel), i);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(f, "---\ntitle: \"Runbook %u: %s %s\"\nseverity: sev%u\n"
	    "owner: team-%u\nalerts: [Alert%05u, Alert%05uB]\n"
	    "tags: [%s, %s]\nservices: [%s]\nlast_reviewed: 2026-%02u-%02u\n"
	    "---\n", i, words[next(38)], words[next(38)], 1 + next(4),
	    next(20), i, i, words[next(38)], sections[i % NSECTIONS],
	    services[next(10)], 6 + next(5), 1 + next(28));
	fprintf(f, "# Runbook %u\n\n", i);
	paragraph(f, 4 + next(6));
	fputs("## Sintomas\n\n", f);
	paragraph(f, 2 + next(3));
	fputs("- alerta dispara por 5 minutos\n- latência p95 acima de 750ms\n"
	    "- erros 5xx acima de 1%\n\n", f);
	fputs("## Diagnóstico\n\n", f);
	paragraph(f, 1 + next(3));
	fprintf(f, "```bash\nkubectl -n %s get pods -o wide\n"
	    "kubectl -n %s logs deploy/%s --since=15m | grep -i error\n"
	    "./scripts/diagnose.sh --service %s\n```\n\n",
	    services[i % 10], services[i % 10], services[i % 10],
	    services[i % 10]);
	fputs("| métrica | limite | ação |\n|---|---|---|\n", f);
	for (k = 0; k < 3 + next(4); k++)
		fprintf(f, "| %s | %u ms | %s |\n", words[next(38)],
		    100 * (1 + next(20)), words[next(38)]);
	fputs("\n", f);
	for (k = 0; k < extra; k++) {
		fprintf(f, "### Passo %u\n\n", k + 1);
		paragraph(f, 3 + next(6));
	}
	fputs("## Mitigação\n\n", f);
	paragraph(f, 1 + next(3));
	fprintf(f, "1. Execute `scripts/rollback.sh --dry-run`.\n"
	    "2. Confirme com o responsável.\n3. Execute `scripts/rollback.sh`.\n\n");
	fputs("## Verificação\n\n", f);
	paragraph(f, 1 + next(2));
	fputs("## Escalonamento\n\nVeja também:\n\n", f);
	for (k = 0; k < links; k++) {
		unsigned t = next(n);
		static const char *const anchors[] = {
			"sintomas", "diagnóstico", "mitigação", "verificação",
		};

		page_path(target, sizeof(target), t);
		fprintf(f, "- [Runbook %u](../%s#%s)\n", t, target,
		    anchors[next(4)]);
	}
	fputs("\n", f);
	paragraph(f, 1 + next(6));
	fclose(f);
}

static void
mkdir_or_die(const char *p)
{
	if (mkdir(p, 0777) < 0 && errno != EEXIST) {
		perror(p);
		exit(1);
	}
}

static void
write_file(const char *dir, const char *name, const char *text, int mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

int
main(int argc, char **argv)
{
	char path[512];
	unsigned n, i;
	FILE *f;

	if (argc != 3 || (n = (unsigned)strtoul(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: gencorpus N DIR\n");
		return 2;
	}
	mkdir_or_die(argv[2]);
	for (i = 0; i < NSECTIONS; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[2], sections[i]);
		mkdir_or_die(path);
		snprintf(path, sizeof(path), "%s/%s/scripts", argv[2],
		    sections[i]);
		mkdir_or_die(path);
		snprintf(path, sizeof(path), "%s/%s/scripts", argv[2],
		    sections[i]);
		write_file(path, "diagnose.sh", "#!/bin/sh\n# Collects "
		    "diagnostics.\nset -eu\necho \"diagnose $*\"\n", 0755);
		write_file(path, "rollback.sh", "#!/bin/sh\n# Rolls back the "
		    "last release.\nset -eu\necho \"rollback $*\"\n", 0755);
	}
	snprintf(path, sizeof(path), "%s/site.yml", argv[2]);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	fputs("title: Benchmark handbook\nlanguage: pt-BR\nowners:\n", f);
	for (i = 0; i < 20; i++)
		fprintf(f, "  - id: team-%u\n    name: Team %u\n    contact: "
		    "\"#team-%u\"\n", i, i, i);
	fclose(f);
	for (i = 0; i < n; i++)
		write_page(argv[2], i, n);
	return 0;
}
