//! Runs exercise 11-image-subscribe's hidden checks against this reference solution.

extern crate ex11_image_subscribe_solution as ex11_image_subscribe;

#[path = "../../.checks/11-image-subscribe.rs"]
mod check;
