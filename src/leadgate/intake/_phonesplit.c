/* The first half of intake.phones._settle in one pass over a string column, in C.

   polars' column-wise path takes a dozen string passes (is it plain, strip, "+", the digits without their
   separators, the international and national forms, the country code) before the numbers' patterns are
   matched: ~2/3 of the normaliser's CPU at 10M rows. This does those steps once per row, on the column's
   Arrow buffers (the PyCapsule stream polars exports, no copy), without the GIL.

   Each row gets a status:
     UNSURE  anything but plain ASCII digits and ` -./()` with an optional leading "+" between white
             space (a "#" extension, a non-ASCII character, ...) that has no Latin letter: polars' own
             path answers it, unchanged;
     INVALID settled, not a valid number (a Latin letter, no digits, a national number without a
             region, "+CC"/"00CC" with no known country code);
     HOME    one of the home regions (`home`: its index + 1) with the national number as written after
             the country code or as the national format (`rest`: its digits as an integer, `rest_len`
             digits with leading zeros); polars matches the region's patterns on it;
     OPEN    none of those: parse_phone decides, as for the polars path.
   Rows whose rest has more than 18 digits are UNSURE (an int64 holds 18 for certain).

   tests/intake/test_phonesplit.py holds every status and rest equal to what the polars path computes. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

struct ArrowSchema {
    const char *format; const char *name; const char *metadata; int64_t flags; int64_t n_children;
    struct ArrowSchema **children; struct ArrowSchema *dictionary; void (*release)(struct ArrowSchema *);
    void *private_data;
};
struct ArrowArray {
    int64_t length; int64_t null_count; int64_t offset; int64_t n_buffers; int64_t n_children;
    const void **buffers; struct ArrowArray **children; struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *); void *private_data;
};
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

enum { UNSURE = 0, INVALID = 1, HOME = 2, OPEN = 3 };
enum { LARGE = 1, SMALL = 2, VIEW = 3 };

#define MAX_HOMES 16
#define NO_REGION 0
#define OTHER_REGION 255

typedef struct {
    int homes;
    char cc[MAX_HOMES][4];
    int cc_len[MAX_HOMES];
    const uint8_t *known;  /* known[v]: v (1-999, written without leading zeros) is a country code */
} Codes;

static int is_space(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int is_separator(uint8_t c) {
    return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')';
}
static int is_letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int starts(const char *s, int n, const char *p, int m) { return n >= m && memcmp(s, p, (size_t)m) == 0; }

/* One row: `s` (n bytes), its default region (0: none, 1..homes: a home region, 255: another). */
static uint8_t split_one(const uint8_t *s, int64_t n, uint8_t region, const Codes *codes,
                         uint8_t *home, int64_t *rest, uint8_t *rest_len) {
    int64_t i = 0, end = n;
    int letter = 0;
    for (int64_t k = 0; k < n; k++) {
        if (s[k] >= 0x80) return UNSURE;
        letter |= is_letter(s[k]);
    }
    /* ^\s*\+?[0-9 \-./()]+\s*$ with ASCII white space */
    while (i < end && is_space(s[i])) i++;
    while (end > i && is_space(s[end - 1])) end--;
    int plus = i < end && s[i] == '+';
    int64_t body = i + plus;
    if (body >= end) {
        /* white space only, or "+" alone: not plain ("[...]+" needs a character) */
        return letter ? INVALID : UNSURE;
    }
    char digits[32];
    int nd = 0;
    for (int64_t k = body; k < end; k++) {
        uint8_t c = s[k];
        if (c >= '0' && c <= '9') {
            if (nd >= 30) return UNSURE;
            digits[nd++] = (char)c;
        } else if (!is_separator(c)) {
            return letter ? INVALID : UNSURE;
        }
    }
    if (nd == 0) return INVALID;
    if (!plus && region == NO_REGION) return INVALID;
    int is_home = region != NO_REGION && region != OTHER_REGION;
    const char *intl = NULL, *nat = NULL;
    int n_intl = 0, n_nat = 0;
    if (plus) {
        intl = digits; n_intl = nd;
    } else if (is_home && starts(digits, nd, "00", 2)) {
        intl = digits + 2; n_intl = nd - 2;
    } else if (is_home) {
        nat = digits; n_nat = nd;
    }
    if (intl != NULL && (n_intl == 0 || intl[0] != '0')) {
        int found = 0, v = 0;
        for (int k = 0; k < 3 && k < n_intl; k++) {
            v = v * 10 + (intl[k] - '0');
            found |= codes->known[v];
        }
        if (!found) return INVALID;
    }
    const char *r = NULL;
    int n_r = 0;
    if (intl != NULL) {
        for (int h = 0; h < codes->homes; h++) {
            if (starts(intl, n_intl, codes->cc[h], codes->cc_len[h])) {
                *home = (uint8_t)(h + 1);
                r = intl + codes->cc_len[h]; n_r = n_intl - codes->cc_len[h];
                break;
            }
        }
    } else if (nat != NULL) {
        int h = region - 1;
        if (nat[0] == '0' || !starts(nat, n_nat, codes->cc[h], codes->cc_len[h])) {
            *home = region;
            r = nat; n_r = n_nat;
        }
    }
    if (r == NULL) return OPEN;
    if (n_r > 18) return UNSURE;
    int64_t value = 0;
    for (int k = 0; k < n_r; k++) value = value * 10 + (r[k] - '0');
    *rest = value;
    *rest_len = (uint8_t)n_r;
    return HOME;
}

typedef struct {
    Py_buffer buf;
    int held;
} Out;

static int writable(PyObject *obj, Out *out, Py_ssize_t itemsize, Py_ssize_t rows, const char *name) {
    if (PyObject_GetBuffer(obj, &out->buf, PyBUF_WRITABLE | PyBUF_C_CONTIGUOUS) < 0) return -1;
    out->held = 1;
    if (out->buf.len != itemsize * rows) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes, %zd expected", name, out->buf.len, itemsize * rows);
        return -1;
    }
    return 0;
}

static PyObject *split(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *capsule, *region_obj, *codes_obj, *known_obj, *status_obj, *home_obj, *rest_obj, *len_obj;
    if (!PyArg_ParseTuple(args, "OOOOOOOO", &capsule, &region_obj, &codes_obj, &known_obj, &status_obj,
                          &home_obj, &rest_obj, &len_obj))
        return NULL;
    struct ArrowArrayStream *stream = PyCapsule_GetPointer(capsule, "arrow_array_stream");
    if (stream == NULL) return NULL;

    Codes codes;
    memset(&codes, 0, sizeof codes);
    PyObject *seq = PySequence_Fast(codes_obj, "the home regions' country codes: a sequence of str");
    if (seq == NULL) return NULL;
    codes.homes = (int)PySequence_Fast_GET_SIZE(seq);
    if (codes.homes > MAX_HOMES) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError, "too many home regions");
        return NULL;
    }
    for (int h = 0; h < codes.homes; h++) {
        Py_ssize_t size;
        const char *cc = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(seq, h), &size);
        if (cc == NULL || size < 1 || size > 3) {
            Py_DECREF(seq);
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "a country code has 1-3 digits");
            return NULL;
        }
        memcpy(codes.cc[h], cc, (size_t)size);
        codes.cc_len[h] = (int)size;
    }
    Py_DECREF(seq);

    Out region = {0}, known = {0}, status = {0}, home = {0}, rest = {0}, rest_len = {0};
    PyObject *result = NULL;
    struct ArrowSchema schema = {0};
    if (PyObject_GetBuffer(region_obj, &region.buf, PyBUF_C_CONTIGUOUS) < 0) goto done;
    region.held = 1;
    Py_ssize_t rows = region.buf.len;
    if (PyObject_GetBuffer(known_obj, &known.buf, PyBUF_C_CONTIGUOUS) < 0) goto done;
    known.held = 1;
    if (known.buf.len != 1000) {
        PyErr_SetString(PyExc_ValueError, "known: 1000 bytes expected");
        goto done;
    }
    codes.known = known.buf.buf;
    if (writable(status_obj, &status, 1, rows, "status") < 0 || writable(home_obj, &home, 1, rows, "home") < 0 ||
        writable(rest_obj, &rest, 8, rows, "rest") < 0 || writable(len_obj, &rest_len, 1, rows, "rest_len") < 0)
        goto done;
    if (stream->get_schema(stream, &schema) != 0) {
        PyErr_SetString(PyExc_RuntimeError, "the Arrow stream gave no schema");
        goto done;
    }
    int kind = strcmp(schema.format, "vu") == 0 ? VIEW : strcmp(schema.format, "U") == 0 ? LARGE
               : strcmp(schema.format, "u") == 0 ? SMALL : 0;
    if (schema.release) schema.release(&schema);
    if (!kind) {
        PyErr_SetString(PyExc_TypeError, "a string column is needed");
        goto done;
    }
    const uint8_t *regions = region.buf.buf;
    uint8_t *st = status.buf.buf, *hm = home.buf.buf, *ln = rest_len.buf.buf;
    int64_t *rs = rest.buf.buf;
    memset(st, UNSURE, (size_t)rows);
    memset(hm, 0, (size_t)rows);
    memset(ln, 0, (size_t)rows);
    memset(rs, 0, (size_t)rows * 8);
    int64_t row = 0;
    int failed = 0;
    for (;;) {
        struct ArrowArray array = {0};
        if (stream->get_next(stream, &array) != 0) {
            failed = 1;
            break;
        }
        if (array.release == NULL) break;  /* the end of the stream */
        if (row + array.length > rows) {
            array.release(&array);
            failed = 2;
            break;
        }
        Py_BEGIN_ALLOW_THREADS
        const uint8_t *valid = array.buffers[0];
        for (int64_t i = 0; i < array.length; i++, row++) {
            int64_t at = array.offset + i;
            if (valid != NULL && !((valid[at >> 3] >> (at & 7)) & 1)) continue;  /* null: UNSURE */
            const uint8_t *s;
            int64_t n;
            if (kind == VIEW) {
                const uint8_t *view = (const uint8_t *)array.buffers[1] + 16 * at;
                int32_t size, index, offset;
                memcpy(&size, view, 4);
                if (size <= 12) {
                    s = view + 4;
                } else {
                    memcpy(&index, view + 8, 4);
                    memcpy(&offset, view + 12, 4);
                    /* buffers: validity, views, the data buffers, their sizes (the last) */
                    if (index < 0 || 2 + (int64_t)index >= array.n_buffers - 1 || offset < 0) continue;
                    s = (const uint8_t *)array.buffers[2 + index] + offset;
                }
                n = size;
            } else if (kind == LARGE) {
                const int64_t *offsets = array.buffers[1];
                s = (const uint8_t *)array.buffers[2] + offsets[at];
                n = offsets[at + 1] - offsets[at];
            } else {
                const int32_t *offsets = array.buffers[1];
                s = (const uint8_t *)array.buffers[2] + offsets[at];
                n = offsets[at + 1] - offsets[at];
            }
            st[row] = split_one(s, n, regions[row], &codes, &hm[row], &rs[row], &ln[row]);
        }
        Py_END_ALLOW_THREADS
        array.release(&array);
    }
    if (failed == 1) {
        const char *why = stream->get_last_error ? stream->get_last_error(stream) : NULL;
        PyErr_Format(PyExc_RuntimeError, "the Arrow stream failed: %s", why ? why : "no reason given");
    } else if (failed == 2 || row != rows) {
        PyErr_Format(PyExc_ValueError, "the column and the regions differ in length (%zd regions)", rows);
    } else {
        result = Py_None;
        Py_INCREF(result);
    }
done:
    if (region.held) PyBuffer_Release(&region.buf);
    if (known.held) PyBuffer_Release(&known.buf);
    if (status.held) PyBuffer_Release(&status.buf);
    if (home.held) PyBuffer_Release(&home.buf);
    if (rest.held) PyBuffer_Release(&rest.buf);
    if (rest_len.held) PyBuffer_Release(&rest_len.buf);
    return result;
}

static PyMethodDef methods[] = {
    {"split", split, METH_VARARGS,
     "split(stream, regions, codes, known, status, home, rest, rest_len): see the module's C source."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_phonesplit",
                                    "The first half of intake.phones._settle, one pass in C.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__phonesplit(void) { return PyModule_Create(&module); }
