#pragma once
// A fresh directory under the system's temporary directory, removed with its contents when the
// object goes away. Tests that need database files (WAL, several connections, backups) put
// them here so runs never share files.

#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace sqlproof_test {

class scratch_dir {
 public:
  explicit scratch_dir(std::string_view purpose = "test") {
    std::random_device random;
    const auto base = std::filesystem::temp_directory_path();
    do {
      path_ = base / ("sqlproof-" + std::string(purpose) + "-" + std::to_string(random()) + "-" +
                      std::to_string(random()));
    } while (!std::filesystem::create_directory(path_));
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  /// The path of `name` inside the directory.
  [[nodiscard]] std::string file(std::string_view name) const { return (path_ / name).string(); }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sqlproof_test
