package dev.coffer.api.chaos;

/** One thing that goes wrong on purpose, and is put right again before {@link #apply} returns. */
interface Fault {
  String name();

  /** Breaks the part, waits as the fault needs, and restores it. */
  void apply() throws Exception;

  static Fault of(String name, Step step) {
    return new Fault() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void apply() throws Exception {
        step.run();
      }
    };
  }

  @FunctionalInterface
  interface Step {
    void run() throws Exception;
  }
}
