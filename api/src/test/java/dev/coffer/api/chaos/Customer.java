package dev.coffer.api.chaos;

import java.util.UUID;

/** A signed-up user of the run with one funded EUR account; its token changes on re-log-in. */
final class Customer {
  final String email;
  final String password;
  volatile UUID id;
  volatile UUID account;
  volatile String token;

  Customer(String email, String password) {
    this.email = email;
    this.password = password;
  }
}
