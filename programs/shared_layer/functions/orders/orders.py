from shop_common import respond


def handler(event, context):
    return respond(200, {"orders": [], "version": context.function_version})
