<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">
  <NamedLayer>
    <Name>{{layer}}</Name>
    <UserStyle>
      <Name>{{style}}</Name>
      <Title>{{title}}</Title>
      <FeatureTypeStyle>
<!--rows-->        <Rule>
          <Name>quadrant {{value}}</Name>
          <Title>{{label}}</Title>
          <ogc:Filter>
            <ogc:PropertyIsEqualTo><ogc:PropertyName>quadrant</ogc:PropertyName><ogc:Literal>{{value}}</ogc:Literal></ogc:PropertyIsEqualTo>
          </ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">{{hex}}</CssParameter><CssParameter name="fill-opacity">{{opacity}}</CssParameter></Fill>
          </PolygonSymbolizer>
        </Rule>
<!--/rows-->      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
