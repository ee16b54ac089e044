// Installs Lamina's seccomp policy (seccomp/seccomp_policy.h), compiled to BPF when Lamina was
// built: lamina-init pays one system call for it, not libseccomp's milliseconds.
#pragma once

#include "common/status.h"

namespace lamina::init {

// Confines the calling process and every child it starts from now on. Needs no_new_privs.
Status InstallSeccompFilter();

}  // namespace lamina::init
