/*
 * The driver loader: maps a student's relocatable object (gcc -c output, ET_REL) into the host as the
 * kernel's module loader maps a .ko, so a C submission costs one gcc -c and no link.
 *
 * Undefined symbols resolve only against ag_exports[] (the kernel model and the libc functions the
 * kernel offers too; generated at build time from the model library), so a driver's own globals are
 * visible to nothing but itself and cannot stand in for libc or the model. Constructors, destructors
 * and ifuncs are never run (the grader refuses objects that have them). Entry points are the symbols
 * module_init/module_exit define (__ag_initcall, __ag_exitcall) or old-style init/cleanup_module.
 *
 * The object comes from our gcc but its content is the student's (asm directives can write any
 * section or relocation), so every index, offset and size is checked. It runs inside the sandbox.
 * Layout: executable sections, then stubs (jmp *addr for calls that cannot reach their target);
 * read-only sections, then the GOT; writable sections. Each group is page-aligned and gets its own
 * protection. The image is placed near the host so PC-relative references to the model's data reach.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "loader.h"
#include "model.h"

#define MAX_IMAGE (256UL << 20)
#define STUB_SIZE 16

struct loader {
	const unsigned char *file;
	size_t size;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	unsigned int nsec;
	const Elf64_Sym *sym;
	unsigned int nsym;
	const char *str;
	size_t strsize;
	unsigned long *place; /* per section: offset in the image, or ~0UL */
	unsigned char *image;
	size_t image_size;
	unsigned long stubs, got; /* offsets of the stub and GOT areas (one slot per symbol) */
	char *error;
	size_t error_size;
};

static int __attribute__((format(printf, 2, 3))) fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->error, l->error_size, fmt, ap);
	va_end(ap);
	return -1;
}

static int in_file(const struct loader *l, unsigned long off, unsigned long len)
{
	return off <= l->size && len <= l->size - off;
}

static unsigned long align_up(unsigned long v, unsigned long a)
{
	return a > 1 ? (v + a - 1) & ~(a - 1) : v;
}

static const char *sym_name(const struct loader *l, const Elf64_Sym *s)
{
	if (s->st_name >= l->strsize)
		return "";
	const char *name = l->str + s->st_name;
	return memchr(name, '\0', l->strsize - s->st_name) ? name : "";
}

static const struct ag_export *find_export(const char *name)
{
	for (const struct ag_export *e = ag_exports; e->name; e++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

/* Section groups: 0 executable, 1 read-only, 2 writable; -1 not loaded. */
static int group_of(const Elf64_Shdr *s)
{
	if (!(s->sh_flags & SHF_ALLOC) || (s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS &&
					     s->sh_type != SHT_INIT_ARRAY && s->sh_type != SHT_FINI_ARRAY &&
					     s->sh_type != SHT_PREINIT_ARRAY && s->sh_type != SHT_X86_64_UNWIND))
		return -1;
	if (s->sh_flags & SHF_EXECINSTR)
		return 0;
	return (s->sh_flags & SHF_WRITE) ? 2 : 1;
}

static int parse(struct loader *l)
{
	if (l->size < sizeof(Elf64_Ehdr))
		return fail(l, "the driver object is too small (%lu bytes)", (unsigned long)l->size);
	l->eh = (const Elf64_Ehdr *)l->file;
	const Elf64_Ehdr *eh = l->eh;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_REL || eh->e_machine != EM_X86_64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr))
		return fail(l, "the driver object is not an x86-64 relocatable ELF object");
	if (!in_file(l, eh->e_shoff, (unsigned long)eh->e_shnum * sizeof(Elf64_Shdr)) || eh->e_shnum == 0 ||
	    (eh->e_shoff & 7))
		return fail(l, "the driver object's section table is out of bounds");
	l->sh = (const Elf64_Shdr *)(l->file + eh->e_shoff);
	l->nsec = eh->e_shnum;
	for (unsigned int i = 0; i < l->nsec; i++) {
		const Elf64_Shdr *s = &l->sh[i];
		if (s->sh_type != SHT_NOBITS && s->sh_type != SHT_NULL && !in_file(l, s->sh_offset, s->sh_size))
			return fail(l, "section %u of the driver object is out of bounds", i);
		if (s->sh_addralign > 4096 || (s->sh_addralign & (s->sh_addralign - 1)))
			return fail(l, "section %u of the driver object has an unsupported alignment", i);
		if (s->sh_type == SHT_SYMTAB) {
			if (l->sym)
				return fail(l, "the driver object has two symbol tables");
			if (s->sh_entsize != sizeof(Elf64_Sym) || (s->sh_offset & 7) || s->sh_link >= l->nsec ||
			    l->sh[s->sh_link].sh_type != SHT_STRTAB)
				return fail(l, "the driver object's symbol table is malformed");
			l->sym = (const Elf64_Sym *)(l->file + s->sh_offset);
			l->nsym = (unsigned int)(s->sh_size / sizeof(Elf64_Sym));
			l->str = (const char *)(l->file + l->sh[s->sh_link].sh_offset);
			l->strsize = l->sh[s->sh_link].sh_size;
		}
	}
	if (!l->sym)
		return fail(l, "the driver object has no symbol table");
	return 0;
}

static int layout(struct loader *l)
{
	l->place = calloc(l->nsec, sizeof *l->place);
	if (!l->place)
		return fail(l, "out of memory");
	long page = sysconf(_SC_PAGESIZE);
	unsigned long off = 0;
	for (int g = 0; g < 3; g++) {
		for (unsigned int i = 0; i < l->nsec; i++) {
			if (g == 0)
				l->place[i] = ~0UL;
			if (group_of(&l->sh[i]) != g)
				continue;
			if (l->sh[i].sh_size > MAX_IMAGE)
				return fail(l, "the driver is too large to load (%lu bytes in one section)", (unsigned long)l->sh[i].sh_size);
			off = align_up(off, l->sh[i].sh_addralign);
			l->place[i] = off;
			off += l->sh[i].sh_size;
			if (off > MAX_IMAGE)
				return fail(l, "the driver is too large to load (over %lu bytes)", MAX_IMAGE);
		}
		if (g == 0) {
			off = align_up(off, STUB_SIZE);
			l->stubs = off;
			off += (unsigned long)l->nsym * STUB_SIZE;
		} else if (g == 1) {
			off = align_up(off, 8);
			l->got = off;
			off += (unsigned long)l->nsym * 8;
		}
		off = align_up(off, (unsigned long)page);
	}
	l->image_size = off;
	/* Below the host executable, within reach of 32-bit PC-relative references to its data. */
	unsigned long host = (unsigned long)&ag_exports & ~((1UL << 30) - 1);
	void *hint = host > (1UL << 30) ? (void *)(host - (1UL << 29)) : NULL;
	void *p = mmap(hint, l->image_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return fail(l, "cannot map the driver (%lu bytes)", (unsigned long)l->image_size);
	l->image = p;
	for (unsigned int i = 0; i < l->nsec; i++)
		if (l->place[i] != ~0UL && l->sh[i].sh_type != SHT_NOBITS)
			memcpy(l->image + l->place[i], l->file + l->sh[i].sh_offset, l->sh[i].sh_size);
	return 0;
}

/* The address of symbol i; *external says it came from ag_exports (NULL when it is weak and absent). */
static int symbol_address(struct loader *l, unsigned long i, unsigned long *addr, const struct ag_export **external)
{
	*external = NULL;
	if (i >= l->nsym)
		return fail(l, "a relocation names symbol %lu, which does not exist", i);
	const Elf64_Sym *s = &l->sym[i];
	if (ELF64_ST_TYPE(s->st_info) == STT_GNU_IFUNC || ELF64_ST_TYPE(s->st_info) == STT_TLS)
		return fail(l, "the driver uses %s (symbol %lu), which the kernel does not support",
			    ELF64_ST_TYPE(s->st_info) == STT_TLS ? "thread-local storage" : "an ifunc", i);
	switch (s->st_shndx) {
	case SHN_UNDEF: {
		const char *name = sym_name(l, s);
		const struct ag_export *e = find_export(name);
		if (!e) {
			if (ELF64_ST_BIND(s->st_info) == STB_WEAK) {
				*addr = 0;
				return 0;
			}
			return fail(l, "the kernel model has no %s (symbol %lu)", name, i);
		}
		*external = e;
		*addr = (unsigned long)e->address;
		return 0;
	}
	case SHN_ABS:
		*addr = s->st_value;
		return 0;
	case SHN_COMMON:
		return fail(l, "common symbol %s (%lu) in the driver object (it is compiled with -fno-common)", sym_name(l, s), i);
	default:
		if (s->st_shndx >= l->nsec || l->place[s->st_shndx] == ~0UL)
			return fail(l, "symbol %s (%lu) is in a section that is not loaded", sym_name(l, s), i);
		if (s->st_value > l->sh[s->st_shndx].sh_size)
			return fail(l, "symbol %s (%lu) lies outside its section", sym_name(l, s), i);
		*addr = (unsigned long)l->image + l->place[s->st_shndx] + s->st_value;
		return 0;
	}
}

static unsigned long stub(struct loader *l, unsigned long i, unsigned long target)
{
	unsigned char *p = l->image + l->stubs + i * STUB_SIZE;
	static const unsigned char jmp[] = { 0xff, 0x25, 0, 0, 0, 0 }; /* jmp *0(%rip) */
	memcpy(p, jmp, sizeof jmp);
	memcpy(p + sizeof jmp, &target, 8);
	return (unsigned long)p;
}

static int fits32(long long v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

static int relocate_section(struct loader *l, const Elf64_Shdr *rs)
{
	if (rs->sh_info >= l->nsec || l->place[rs->sh_info] == ~0UL)
		return 0; /* relocations of a section we do not load (debug info) */
	const Elf64_Shdr *target = &l->sh[rs->sh_info];
	if (target->sh_type == SHT_NOBITS)
		return fail(l, "relocations against a section without contents (%u)", rs->sh_info);
	if (rs->sh_type == SHT_REL)
		return fail(l, "REL relocations are not used on x86-64");
	if (rs->sh_entsize != sizeof(Elf64_Rela) || (rs->sh_offset & 7) || rs->sh_link >= l->nsec ||
	    l->sh[rs->sh_link].sh_type != SHT_SYMTAB)
		return fail(l, "a relocation section of the driver object is malformed");
	const Elf64_Rela *r = (const Elf64_Rela *)(l->file + rs->sh_offset);
	unsigned long n = rs->sh_size / sizeof *r;
	unsigned char *base = l->image + l->place[rs->sh_info];
	for (unsigned long k = 0; k < n; k++) {
		unsigned long type = ELF64_R_TYPE(r[k].r_info), si = ELF64_R_SYM(r[k].r_info);
		if (type == R_X86_64_NONE)
			continue;
		unsigned long width = (type == R_X86_64_64 || type == R_X86_64_PC64) ? 8 : 4;
		if (r[k].r_offset > target->sh_size || width > target->sh_size - r[k].r_offset)
			return fail(l, "a relocation lies outside its section (offset %lu)", (unsigned long)r[k].r_offset);
		unsigned long s = 0;
		const struct ag_export *ext;
		if (symbol_address(l, si, &s, &ext))
			return -1;
		unsigned char *where = base + r[k].r_offset;
		unsigned long p = (unsigned long)where;
		long long a = r[k].r_addend, v;
		switch (type) {
		case R_X86_64_64:
			v = (long long)(s + (unsigned long)a);
			memcpy(where, &v, 8);
			continue;
		case R_X86_64_PC64:
			v = (long long)(s + (unsigned long)a - p);
			memcpy(where, &v, 8);
			continue;
		case R_X86_64_PC32:
		case R_X86_64_PLT32:
			v = (long long)(s + (unsigned long)a - p);
			if (!fits32(v) && ext && !ext->data)
				v = (long long)(stub(l, si, s) + (unsigned long)a - p);
			break;
		case R_X86_64_GOTPCREL:
		case R_X86_64_GOTPCRELX:
		case R_X86_64_REX_GOTPCRELX: {
			unsigned long slot = (unsigned long)l->image + l->got + si * 8;
			memcpy((void *)slot, &s, 8);
			v = (long long)(slot + (unsigned long)a - p);
			break;
		}
		case R_X86_64_32:
			v = (long long)(s + (unsigned long)a);
			if (v < 0 || v > (long long)UINT32_MAX)
				return fail(l, "an absolute 32-bit reference cannot reach the driver (relocation %lu)", k);
			break;
		case R_X86_64_32S:
			v = (long long)(s + (unsigned long)a);
			break;
		default:
			return fail(l, "the driver object has a relocation of type %lu, which the loader does not support", type);
		}
		if (!fits32(v))
			return fail(l, "a 32-bit reference to %s does not reach it (relocation %lu)",
				    si < l->nsym ? sym_name(l, &l->sym[si]) : "?", k);
		int32_t v32 = (int32_t)v;
		memcpy(where, &v32, 4);
	}
	return 0;
}

static int protect(struct loader *l)
{
	/* The groups are page-aligned: executable + stubs, read-only + GOT, then writable (stays RW). */
	long page = sysconf(_SC_PAGESIZE);
	unsigned long exec_end = align_up(l->stubs + (unsigned long)l->nsym * STUB_SIZE, (unsigned long)page);
	unsigned long ro_end = align_up(l->got + (unsigned long)l->nsym * 8, (unsigned long)page);
	if (exec_end && mprotect(l->image, exec_end, PROT_READ | PROT_EXEC))
		return fail(l, "mprotect failed: %s", "exec");
	if (ro_end > exec_end && mprotect(l->image + exec_end, ro_end - exec_end, PROT_READ))
		return fail(l, "mprotect failed: %s", "read-only");
	return 0;
}

static void *defined(struct loader *l, const char *name)
{
	for (unsigned int i = 1; i < l->nsym; i++) {
		const Elf64_Sym *s = &l->sym[i];
		if (ELF64_ST_BIND(s->st_info) == STB_LOCAL || s->st_shndx == SHN_UNDEF || s->st_shndx >= l->nsec ||
		    l->place[s->st_shndx] == ~0UL || strcmp(sym_name(l, s), name))
			continue;
		return l->image + l->place[s->st_shndx] + s->st_value;
	}
	return NULL;
}

int ag_load_driver(const unsigned char *file, size_t size, char *error, size_t error_size)
{
	struct loader l = { .file = file, .size = size, .error = error, .error_size = error_size };
	int rc = parse(&l) || layout(&l);
	for (unsigned int i = 0; !rc && i < l.nsec; i++)
		if (l.sh[i].sh_type == SHT_RELA || l.sh[i].sh_type == SHT_REL)
			rc = relocate_section(&l, &l.sh[i]);
	if (!rc)
		rc = protect(&l);
	if (!rc)
		ag_model_set_entries(defined(&l, "__ag_initcall"), defined(&l, "__ag_exitcall"),
				     defined(&l, "__ag_init_module") ? defined(&l, "__ag_init_module") : defined(&l, "init_module"),
				     defined(&l, "__ag_cleanup_module") ? defined(&l, "__ag_cleanup_module") : defined(&l, "cleanup_module"));
	free(l.place);
	return rc ? -1 : 0;
}
