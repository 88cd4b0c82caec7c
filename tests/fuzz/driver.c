/**
 * \file
 * Stand-alone main for the fuzz harnesses, linked in place of libFuzzer
 * so that `make check` runs every harness with any compiler, in bounded
 * time, and the same way every time.
 *
 *	fuzz_NAME [FILE | DIR]...
 *
 * Without arguments the seeds are $FB_SRCDIR/tests/fuzz/corpus/NAME
 * (FB_SRCDIR is set by `make check`; "." when unset), NAME being the
 * FB_FUZZ_TARGET the program was built with.  The run has two parts:
 * - every seed file once, one TAP point per argument;
 * - mutations of the seeds (bit flips, interesting bytes, inserts,
 *   deletes, long runs of one byte, splices of two seeds), one TAP point,
 *   until FB_FUZZ_RUNS inputs (default 20000) or FB_FUZZ_SECONDS (default
 *   20) have gone by, whichever comes first.
 * The pseudo-random sequence starts from a fixed seed, printed, so a
 * failure comes back on the next run; FB_FUZZ_SEED picks another.
 *
 * A crash is not caught: ASan, UBSan or a harness's abort() ends the
 * process, and the TAP driver reports the missing plan as a failure.
 * The input that killed it is left in PROGRAM.crash (argv[0] plus
 * ".crash"; removed after a clean run), so `PROGRAM PROGRAM.crash`
 * replays exactly that input.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "fuzz.h"

#ifndef FB_FUZZ_TARGET
#error "build with -DFB_FUZZ_TARGET='\"name\"': the corpus subdirectory"
#endif

/** Largest mutated input: many lines of a feed, far past every limit of
 * a name or a config line. */
#define MUT_MAX 65536
/** Largest seed file read. */
#define SEED_MAX (1024 * 1024)
/** Defaults of the bounds of the mutation pass. */
#define RUNS_DEFAULT 20000
#define SECONDS_DEFAULT 20
/** Fixed start of the pseudo-random sequence ("fraudblk"). */
#define SEED_DEFAULT 0x6672617564626c6bULL

/** One seed in memory. */
struct seed {
	uint8_t *data;
	size_t len;
};

/** All seeds read so far. */
static struct seed *pool;
static size_t npool, pool_cap;

/** PROGRAM.crash, and its descriptor while inputs run (-1: not kept). */
static char crash_path[4096];
static int crash_fd = -1;

/**
 * Open PROGRAM.crash, which holds each input while it runs, so whatever
 * kills the process (a sanitizer, abort(), a signal, a time-out) leaves
 * the input behind.  Signal handlers and sanitizer death callbacks would
 * miss some of those: gcc's UBSan runtime keeps callbacks of its own.
 */
static void
crash_open(const char *argv0, int argc, char **argv)
{
	struct stat a, b;
	int i;

	if(strlen(argv0) + sizeof(".crash") > sizeof(crash_path))
		return;
	snprintf(crash_path, sizeof(crash_path), "%s.crash", argv0);
	/* replaying that very file: it must outlive the run */
	if(stat(crash_path, &a) == 0) {
		for(i = 1; i < argc; i++)
			if(stat(argv[i], &b) == 0 && a.st_dev == b.st_dev &&
				a.st_ino == b.st_ino)
				return;
	}
	crash_fd = open(crash_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if(crash_fd != -1)
		printf("# an input that kills this process is left in %s\n",
			crash_path);
}

/** Put the input about to run in PROGRAM.crash.  Written over, then cut
 * to size: a cut to zero first would cost a disk write on some file
 * systems.  A failure only costs the copy. */
static void
crash_keep(const uint8_t *data, size_t len)
{
	size_t done = 0;
	ssize_t w;

	if(crash_fd == -1)
		return;
	while(done < len) {
		w = pwrite(crash_fd, data + done, len - done, (off_t)done);
		if(w <= 0)
			return;
		done += (size_t)w;
	}
	if(ftruncate(crash_fd, (off_t)len) == -1)
		return;
}

/** The process lived: no input to keep. */
static void
crash_close(void)
{
	if(crash_fd == -1)
		return;
	close(crash_fd);
	unlink(crash_path);
	crash_fd = -1;
}

/** Run the harness on an exactly sized copy, so ASan sees overreads. */
static void
run_one(const uint8_t *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if(!copy) {
		printf("Bail out! out of memory\n");
		exit(2);
	}
	memcpy(copy, data, len);
	crash_keep(copy, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

/* ---- seeds ---------------------------------------------------------- */

/** Read a file into the pool.  @return 1, or 0 with errno set. */
static int
read_seed(const char *path)
{
	struct seed s;
	struct stat sb;
	FILE *f;

	if(stat(path, &sb) == -1)
		return 0;
	if(sb.st_size > SEED_MAX) {
		errno = EFBIG;
		return 0;
	}
	if(!(f = fopen(path, "rb")))
		return 0;
	s.len = (size_t)sb.st_size;
	if(!(s.data = malloc(s.len ? s.len : 1))) {
		fclose(f);
		errno = ENOMEM;
		return 0;
	}
	if(fread(s.data, 1, s.len, f) != s.len) {
		free(s.data);
		fclose(f);
		errno = EIO;
		return 0;
	}
	fclose(f);
	if(npool == pool_cap) {
		size_t cap = pool_cap ? pool_cap * 2 : 64;
		struct seed *p = realloc(pool, cap * sizeof(*p));
		if(!p) {
			free(s.data);
			return 0;
		}
		pool = p;
		pool_cap = cap;
	}
	pool[npool++] = s;
	return 1;
}

/** Hidden files and editor leftovers are not seeds. */
static int
seed_name(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/**
 * Read one argument (a file or a directory of files) and run every seed
 * in it.  Sorted, so the pool and the mutations are the same each run.
 * @param path: the argument.
 * @param n: out: inputs run.
 * @return 1, or 0 with the reason printed as a TAP diagnostic.
 */
static int
run_seeds(const char *path, size_t *n)
{
	struct dirent **list;
	struct stat sb;
	char file[4096];
	size_t first = npool, i;
	int nent, j, ok = 1;

	*n = 0;
	if(stat(path, &sb) == -1) {
		printf("# %s: %s\n", path, strerror(errno));
		return 0;
	}
	if(!S_ISDIR(sb.st_mode)) {
		if(!read_seed(path)) {
			printf("# %s: %s\n", path, strerror(errno));
			return 0;
		}
	} else {
		if((nent = scandir(path, &list, seed_name, alphasort)) < 0) {
			printf("# %s: %s\n", path, strerror(errno));
			return 0;
		}
		for(j = 0; j < nent; j++) {
			snprintf(file, sizeof(file), "%s/%s", path,
				list[j]->d_name);
			if(stat(file, &sb) == 0 && S_ISREG(sb.st_mode) &&
				!read_seed(file)) {
				printf("# %s: %s\n", file, strerror(errno));
				ok = 0;
			}
			free(list[j]);
		}
		free(list);
	}
	for(i = first; i < npool; i++)
		run_one(pool[i].data, pool[i].len);
	*n = npool - first;
	if(*n == 0) {
		/* an empty corpus would pass while testing nothing */
		printf("# %s: no seed files\n", path);
		return 0;
	}
	return ok;
}

/* ---- mutations ------------------------------------------------------ */

/** State of the pseudo-random sequence. */
static uint64_t rng;

/** @return the next pseudo-random number (SplitMix64, Steele et al.). */
static uint64_t
rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/** @return a pseudo-random number below n (0 when n is 0). */
static size_t
below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/** Bytes that mean something to one of the parsers. */
static const uint8_t interesting[] = {
	0x00, '.', '*', 0xff, '#', '\r', '\n', ' ', '\t', '"', ':', '-',
	'_', '0', '9', 'A', 'z', 0x7f, 0x80, 0xc3, 0xef,
	/* wire: the largest label, the two label-type bits */
	0x3f, 0x40, 0xc0
};

/** Lengths of inserted runs: the edges of labels, names and lines. */
static const size_t run_lengths[] = {
	2, 3, 8, 62, 63, 64, 65, 252, 253, 254, 255, 256, 300,
	4095, 4096, 4097
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/** @return mostly an interesting byte, sometimes any byte. */
static uint8_t
pick_byte(void)
{
	if(below(4) == 0)
		return (uint8_t)rnd();
	return interesting[below(NELEM(interesting))];
}

/** Insert k bytes of src (which must not lie in b) at pos; k is cut to
 * what fits. */
static void
insert(uint8_t *b, size_t *n, size_t pos, const uint8_t *src, size_t k)
{
	if(k > MUT_MAX - *n)
		k = MUT_MAX - *n;
	memmove(b + pos + k, b + pos, *n - pos);
	memcpy(b + pos, src, k);
	*n += k;
}

/** Apply one mutation to b (MUT_MAX bytes), holding *n bytes. */
static void
mutate_once(uint8_t *b, size_t *n)
{
	static uint8_t tmp[MUT_MAX];
	const struct seed *o = &pool[below(npool)];
	size_t pos = below(*n + 1), k, from;

	switch(below(11)) {
	case 0:		/* flip a bit */
		if(*n)
			b[below(*n)] ^= (uint8_t)(1u << below(8));
		break;
	case 1:		/* replace a byte */
		if(*n)
			b[below(*n)] = pick_byte();
		break;
	case 2:		/* any printable byte: letters, digits, punctuation */
		if(*n)
			b[below(*n)] = (uint8_t)(0x20 + below(0x5f));
		break;
	case 3:		/* insert a byte */
		tmp[0] = pick_byte();
		insert(b, n, pos, tmp, 1);
		break;
	case 4:		/* delete a few bytes */
		if(pos < *n) {
			k = 1 + below(*n - pos < 16 ? *n - pos : 16);
			memmove(b + pos, b + pos + k, *n - pos - k);
			*n -= k;
		}
		break;
	case 5:		/* a run of one byte: long labels, long lines */
		k = run_lengths[below(NELEM(run_lengths))];
		memset(tmp, (*n && below(2)) ? b[below(*n)] : pick_byte(), k);
		insert(b, n, pos, tmp, k);
		break;
	case 6:		/* splice: this input's head, another's tail */
		from = below(o->len + 1);
		k = o->len - from;
		if(k > MUT_MAX - pos)
			k = MUT_MAX - pos;
		memcpy(b + pos, o->data + from, k);
		*n = pos + k;
		break;
	case 7:		/* insert a piece of another seed */
		from = below(o->len + 1);
		k = below(o->len - from + 1);
		insert(b, n, pos, o->data + from, k);
		break;
	case 8:		/* repeat a piece of itself: a line, a label */
		if(*n) {
			from = below(*n);
			k = 1 + below(*n - from);
			memcpy(tmp, b + from, k);
			insert(b, n, pos, tmp, k);
		}
		break;
	case 9:		/* cut the end off */
		*n = pos;
		break;
	default:	/* a random byte anywhere */
		if(*n)
			b[below(*n)] = (uint8_t)rnd();
		break;
	}
}

/** @return seconds since start. */
static double
elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
		(double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/**
 * Run mutations until either bound is reached.
 * @return the number of inputs run.
 */
static unsigned long
run_mutations(unsigned long runs, unsigned long seconds, double *took,
	int *by_time)
{
	static uint8_t buf[MUT_MAX];
	struct timespec start;
	unsigned long i;
	size_t len = 0, ops, j;
	const struct seed *s;

	clock_gettime(CLOCK_MONOTONIC, &start);
	*by_time = 0;
	for(i = 0; i < runs; i++) {
		if(elapsed(&start) >= (double)seconds) {
			*by_time = 1;
			break;
		}
		/* half from a fresh seed, half deeper into the last one */
		if(i == 0 || below(2)) {
			s = &pool[below(npool)];
			len = s->len < MUT_MAX ? s->len : MUT_MAX;
			memcpy(buf, s->data, len);
		}
		ops = 1 + below(4);
		for(j = 0; j < ops; j++)
			mutate_once(buf, &len);
		run_one(buf, len);
	}
	*took = elapsed(&start);
	return i;
}

/* ---- main ----------------------------------------------------------- */

/** @return a number from the environment, def when unset. */
static unsigned long long
env_num(const char *name, unsigned long long def)
{
	const char *v = getenv(name);
	unsigned long long n;
	char *end;

	if(!v || !*v)
		return def;
	errno = 0;
	n = strtoull(v, &end, 0);
	if(errno || *end || v[0] == '-') {
		printf("Bail out! %s is not a number: '%s'\n", name, v);
		exit(2);
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *prog = "fuzz_" FB_FUZZ_TARGET, *srcdir;
	unsigned long long seed = env_num("FB_FUZZ_SEED", SEED_DEFAULT);
	unsigned long runs = (unsigned long)env_num("FB_FUZZ_RUNS",
		RUNS_DEFAULT);
	unsigned long seconds = (unsigned long)env_num("FB_FUZZ_SECONDS",
		SECONDS_DEFAULT);
	char dir[4096], *defpaths[1] = { dir }, **paths = argv + 1;
	int npaths = argc - 1;
	unsigned long done;
	size_t n;
	double took;
	int i, t = 0, failed = 0, by_time;

	/* a crash must not take lines still in the buffer with it */
	setvbuf(stdout, NULL, _IOLBF, 0);
	crash_open(argv[0], argc, argv);

	if(argc < 2) {
		if(!(srcdir = getenv("FB_SRCDIR")) || !*srcdir)
			srcdir = ".";
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", srcdir,
			FB_FUZZ_TARGET);
		paths = defpaths;
		npaths = 1;
	}
	for(i = 0; i < npaths; i++) {
		printf("# seeds: %s\n", paths[i]);
		if(run_seeds(paths[i], &n))
			printf("ok %d - %s: %zu inputs, no crash\n", ++t, prog,
				n);
		else {
			printf("not ok %d - %s: %zu inputs, seeds unreadable\n",
				++t, prog, n);
			failed = 1;
		}
	}

	if(npool == 0) {
		/* mutations need something to start from */
		pool = calloc(1, sizeof(*pool));
		if(!pool || !(pool[0].data = malloc(1))) {
			printf("Bail out! out of memory\n");
			return 2;
		}
		npool = 1;
	}
	rng = seed;
	printf("# mutations: FB_FUZZ_SEED=0x%llx, at most %lu inputs or "
		"%lu s\n", seed, runs, seconds);
	done = run_mutations(runs, seconds, &took, &by_time);
	printf("# %lu inputs in %.1f s, stopped by the %s\n", done, took,
		by_time ? "time limit" : "count");
	printf("ok %d - %s: %lu mutated inputs, no crash\n", ++t, prog, done);
	printf("1..%d\n", t);
	crash_close();
	return failed;
}
