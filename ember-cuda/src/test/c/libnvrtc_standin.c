/*
 * A stand-in for libnvrtc.so.13, built by LibraryStandInTest: it "compiles" by echoing the
 * options and source, fails with a log when the source holds #error, and counts live programs.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

typedef struct { char *src, *name, *out, *log; } Prog;
static long long live = 0;
static char last_options[1024];

long long standin_nvrtc_live(void) { return live; }
void standin_nvrtc_last_options(char *out) { strcpy(out, last_options); }

const char *nvrtcGetErrorString(int r) {
    switch (r) {
    case 0: return "NVRTC_SUCCESS";
    case 3: return "NVRTC_ERROR_INVALID_INPUT";
    case 5: return "NVRTC_ERROR_INVALID_OPTION";
    case 6: return "NVRTC_ERROR_COMPILATION";
    default: return "NVRTC_ERROR unknown";
    }
}
int nvrtcVersion(int *major, int *minor) { *major = 13; *minor = 0; return 0; }
int nvrtcGetNumSupportedArchs(int *n) { *n = 3; return 0; }
int nvrtcGetSupportedArchs(int *a) { a[0] = 75; a[1] = 80; a[2] = 90; return 0; }
int nvrtcCreateProgram(Prog **p, const char *src, const char *name, int nh, const char *const *h, const char *const *in) {
    if (!src || nh != 0) return 3;
    *p = calloc(1, sizeof(Prog)); (*p)->src = strdup(src); (*p)->name = strdup(name ? name : "default_program"); live++;
    return 0;
}
int nvrtcCompileProgram(Prog *p, int n, const char *const *opts) {
    last_options[0] = 0;
    for (int i = 0; i < n; i++) {
        if (opts[i][0] != '-') return 5;
        if (i) strcat(last_options, "|");
        strncat(last_options, opts[i], sizeof last_options - strlen(last_options) - 2);
    }
    const char *err = strstr(p->src, "#error");
    if (err) {
        p->log = malloc(strlen(p->name) + strlen(err) + 32);
        sprintf(p->log, "%s(1): error: %s\n", p->name, err + 7);
        return 6;
    }
    p->out = malloc(strlen(last_options) + strlen(p->src) + 32);
    sprintf(p->out, "// compiled with %s\n%s", last_options, p->src);
    return 0;
}
int nvrtcGetPTXSize(Prog *p, size_t *n) { if (!p->out) return 4; *n = strlen(p->out) + 1; return 0; }
int nvrtcGetPTX(Prog *p, char *buf) { strcpy(buf, p->out); return 0; }
int nvrtcGetCUBINSize(Prog *p, size_t *n) { if (!p->out) return 4; *n = strlen(p->out); return 0; }
int nvrtcGetCUBIN(Prog *p, char *buf) { memcpy(buf, p->out, strlen(p->out)); return 0; }
int nvrtcGetProgramLogSize(Prog *p, size_t *n) { *n = p->log ? strlen(p->log) + 1 : 1; return 0; }
int nvrtcGetProgramLog(Prog *p, char *buf) { strcpy(buf, p->log ? p->log : ""); return 0; }
int nvrtcDestroyProgram(Prog **p) {
    if (!p || !*p) return 3;
    free((*p)->src); free((*p)->name); free((*p)->out); free((*p)->log); free(*p); *p = 0; live--;
    return 0;
}
