#include "services/thread_name.h"

#include <algorithm>
#include <pthread.h>

namespace throughline::services {

void NameThisThread(std::string name) {
  name.resize(std::min<std::size_t>(name.size(), 15));
  // It fails only for a name over 15 bytes, which the cut above rules out.
  (void)pthread_setname_np(pthread_self(), name.c_str());
}

}  // namespace throughline::services
