#include "services/thread_name.h"

#include <algorithm>
#include <pthread.h>

namespace throughline::services {

void NameThisThread(std::string name) {
  name.resize(std::min<std::size_t>(name.size(), 15));
  // Only a name too long fails, and it cannot be: the result is of no use.
  (void)pthread_setname_np(pthread_self(), name.c_str());
}

}  // namespace throughline::services
